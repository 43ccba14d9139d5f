import { spawn, spawnSync } from 'node:child_process';
import { cannon } from './reads.bench';

export interface HttpLoad {
  requestsPerSecond: number;
  megabytesPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export const hasWrk = !spawnSync('wrk', ['-v']).error;

/** What the load came from, for a section's setup line. */
export const loadGenerator = hasWrk ? 'wrk (1 thread)' : 'autocannon (wrk not installed: the client may be the limit for 2 MB files)';

/**
 * GETs of one URL from `connections` connections for `seconds`, in a process of its own; any
 * error or non-2xx answer fails the run. wrk (C, one thread; Debian package) when installed:
 * autocannon, in JavaScript, tops out near 20–50 MB/s parsing 2 MB bodies on this machine, which
 * would measure the client rather than the servers.
 */
export async function httpLoad(url: string, seconds: number, connections = 10): Promise<HttpLoad> {
  if (!hasWrk) {
    const r = await cannon(url, seconds, { connections });
    return { requestsPerSecond: r.requests.average, megabytesPerSecond: r.throughput.average / 1e6, requests: r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
  }
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0 || /Socket errors/.test(out)) throw new Error(`${url}: ${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const [, value, unit] = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out) ?? [];
  const scale: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
  return { requestsPerSecond: rps, megabytesPerSecond: (Number(value) * (scale[unit!] ?? NaN)) / 1e6, requests, p50Ms: percentile(out, 50), p99Ms: percentile(out, 99) };
}

/** A percentile of wrk's `--latency` distribution, in ms. */
function percentile(out: string, p: number): number {
  const [, value, unit] = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out) ?? [];
  const toMs: Record<string, number> = { us: 1e-3, ms: 1, s: 1000 };
  return Number(value) * (toMs[unit!] ?? NaN);
}
