import { spawn } from 'node:child_process';
import { ProgressParser, type FfmpegProgress } from './progress-parser';

/** ffmpeg exited non-zero (or was stopped); the message ends with the last line of its log. */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export interface RunOptions {
  onProgress?: (p: FfmpegProgress) => void;
  /** Aborting kills ffmpeg (timeouts, worker shutdown). */
  signal?: AbortSignal;
}

const STDERR_TAIL = 8 * 1024;

/** Runs one ffmpeg process to completion, relaying its `-progress` blocks; never buffers more than a log tail. */
export function runFfmpeg(ffmpegPath: string, args: string[], opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FfmpegError(`ffmpeg not started: ${reasonOf(opts.signal)}`, true));
      return;
    }
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const parser = new ProgressParser();
    let stderr = '';
    let aborted = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const p of parser.push(chunk)) opts.onProgress?.(p);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`ffmpeg could not start: ${err.message}`, false));
    });
    child.once('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (code === 0 && !aborted) return resolve();
      const why = aborted ? reasonOf(opts.signal) : `exit ${code ?? sig}`;
      reject(new FfmpegError(`ffmpeg failed (${why}): ${lastLine(stderr)}`, aborted));
    });
  });
}

function reasonOf(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'aborted';
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? 'no output').slice(0, 300);
}
