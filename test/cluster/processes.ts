import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** Every child a harness started, so a crashed test run leaves none behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) killGroup(child.pid, 'SIGKILL');
});
// A test run stopped from outside (timeout, Ctrl-C) takes its cluster along too.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const child of children) killGroup(child.pid, 'SIGKILL');
    process.exit(1);
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Proc {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<string>;
  running(): boolean;
  /** Sends `signal` and waits for the exit, SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<string>;
  /** SIGKILL to the process and its children at once (ffmpeg included), as when a machine or container dies. */
  crash(): Promise<string>;
}

/** Starts a program with its output appended to `logFile`. */
export function startProcess(name: string, command: string, args: string[], env: Record<string, string>, logFile: string): Proc {
  const fd = openSync(logFile, 'a');
  // Its own process group, so a crash can take its children (ffmpeg) with it.
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  children.add(child);
  let alive = true;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      children.delete(child);
      resolve(signal ?? String(code));
    });
    child.once('error', (err) => {
      alive = false;
      children.delete(child);
      resolve(`error: ${err.message}`);
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    exited,
    running: () => alive,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (!alive) return exited;
      child.kill(signal);
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
    async crash() {
      killGroup(child.pid, 'SIGKILL');
      return exited;
    },
  };
}

/** Polls `probe` until it resolves true, or fails naming `what` (with the process's fate if it died). */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (proc && !proc.running()) throw new Error(`${what}: ${proc.name} exited (${await proc.exited})`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** True when `url` answers 200 within a second. */
export async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return res.ok;
}
