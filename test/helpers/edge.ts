import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './env';

export interface Edge {
  /** Where viewers connect (the `http` listener). */
  url: string;
  /** The purge listener (EDGE_PURGE_URL). */
  purgeUrl: string;
  close(): Promise<void>;
}

const VCL = path.resolve(__dirname, '../../../deploy/varnish/default.vcl');

/**
 * A real varnishd (Debian package, installed by `npm run setup`) running the shipped
 * deploy/varnish/default.vcl, with only its backend pointed at `originUrl`, on free loopback ports.
 * `purgePort`: where the purge listener goes, for an origin started first with EDGE_PURGE_URL
 * pointing there.
 */
export async function startEdge(originUrl: string, opts: { cacheSize?: string; purgePort?: number } = {}): Promise<Edge> {
  const origin = new URL(originUrl);
  const shipped = await readFile(VCL, 'utf8');
  const vcl = shipped.replace('.host = "api";', `.host = "${origin.hostname}";`).replace('.port = "4000";', `.port = "${origin.port}";`);
  if (!vcl.includes(`.port = "${origin.port}";`) || !vcl.includes(`.host = "${origin.hostname}";`)) {
    throw new Error('deploy/varnish/default.vcl no longer declares backend api as .host = "api"; .port = "4000";');
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vp-edge-'));
  await chmod(dir, 0o755); // varnishd reads the VCL as its own unprivileged user
  await writeFile(path.join(dir, 'default.vcl'), vcl);
  const [http, purge] = [await freePort(), opts.purgePort ?? (await freePort())];
  const child = spawn(
    process.env.VARNISHD ?? '/usr/sbin/varnishd',
    ['-F', '-n', path.join(dir, 'work'), '-f', path.join(dir, 'default.vcl'), '-a', `http=127.0.0.1:${http},HTTP`, '-a', `purge=127.0.0.1:${purge},HTTP`, '-T', '127.0.0.1:0', '-s', `malloc,${opts.cacheSize ?? '256m'}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${http}`;
  const close = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`varnishd exited: ${output}`);
    }
    if (await fetch(`${url}/healthz`).then(() => true, () => false)) break;
    if (Date.now() > until) {
      await close();
      throw new Error(`varnishd did not answer within 20 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, purgeUrl: `http://127.0.0.1:${purge}`, close };
}

/** Requests the API answered on its media route (GET /videos/:id/…), from its own /metrics. */
export async function originMediaRequests(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_request_duration_seconds_count{') && line.includes('route="/videos/:id/*path"')) n += Number(line.split(' ').pop());
  }
  return n;
}
