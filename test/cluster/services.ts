import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/env';
import { startProcess, waitFor, type Proc } from './processes';

const run = promisify(execFile);

/**
 * A server of the cluster's own that a drill may stop and start again on the same port and data.
 * The shared MariaDB and Redis of the machine are never touched.
 */
export interface PrivateService {
  name: string;
  port: number;
  url: string;
  running(): boolean;
  /** A clean shutdown (SIGTERM), waited for. */
  stop(): Promise<void>;
  /** Starts again on the same port (and data) and waits until it answers. */
  start(): Promise<void>;
}

function service(name: string, port: number, url: string, launch: () => Proc, ready: () => Promise<boolean>): PrivateService & { boot(): Promise<void> } {
  let proc: Proc | null = null;
  const start = async () => {
    proc = launch();
    await waitFor(`${name} on ${port}`, ready, 60_000, proc);
  };
  return {
    name,
    port,
    url,
    running: () => proc?.running() ?? false,
    async stop() {
      await proc?.stop('SIGTERM', 30_000);
      proc = null;
    },
    start,
    boot: start,
  };
}

/** redis-server on a free port, no persistence (a restart empties it, as a failover to an empty replica would). */
export async function privateRedis(dir: string, persistent = true): Promise<PrivateService> {
  const port = await freePort();
  const dataDir = path.join(dir, 'redis');
  await mkdir(dataDir, { recursive: true });
  // With append-only on, a stop/start keeps the queue: the drills test an outage, not data loss.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', persistent ? 'yes' : 'no', '--appendfsync', 'everysec'];
  const s = service(
    'redis',
    port,
    `redis://127.0.0.1:${port}`,
    () => startProcess('redis', 'redis-server', args, {}, path.join(dir, 'redis.log')),
    async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG',
  );
  await s.boot();
  return s;
}

/** mariadbd with a datadir of its own (mariadb-install-db), on a free port; root without password over TCP. */
export async function privateMariaDb(dir: string): Promise<PrivateService> {
  const port = await freePort();
  const dataDir = path.join(dir, 'mariadb');
  await run('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${dataDir}`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
  ]);
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${path.join(dir, 'mariadb.sock')}`,
    `--pid-file=${path.join(dir, 'mariadb.pid')}`,
    '--user=root',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=64M',
    '--performance-schema=OFF',
    '--max-connections=500',
  ];
  const s = service(
    'mariadb',
    port,
    `mysql://root@127.0.0.1:${port}`,
    () => startProcess('mariadb', 'mariadbd', args, {}, path.join(dir, 'mariadb.log')),
    async () => {
      await run('mysqladmin', ['-h127.0.0.1', `-P${port}`, '-uroot', '--connect-timeout=2', 'ping']);
      return true;
    },
  );
  await s.boot();
  return s;
}
