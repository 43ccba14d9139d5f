import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openInfrastructure, type Infrastructure } from '../../src/app/infrastructure';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/logger';
import { STORAGE_ROOTS } from '../../src/storage/keys';
import { freePort, S3_ENV } from '../helpers/env';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { answers, startProcess, waitFor, type Proc } from './processes';
import { privateMariaDb, privateRedis, type PrivateService } from './services';

const ROOT = path.resolve(__dirname, '../../..');
const HAPROXY_CFG = path.join(ROOT, 'deploy/haproxy/haproxy.cfg');

/** One API or worker process of the cluster: it can be killed and started again with the same settings. */
export interface Member {
  name: string;
  /** The API's own URL (bypassing the load balancer); for a worker its /metrics server. */
  url: string;
  proc: Proc;
  running(): boolean;
  /** Starts the process again (after a kill) and waits until it answers. */
  restart(): Promise<void>;
  /** Sends `signal` (to the process only) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<string>;
  /** SIGKILL to the process and its children (ffmpeg), as when its machine dies. */
  crash(): Promise<string>;
}

/**
 * The scale-out topology on one machine: 2 API and 2 worker processes (`node dist/src/main.js`,
 * `dist/src/worker.js`) behind HAProxy (deploy/haproxy/haproxy.cfg: round robin, no stickiness,
 * WebSockets passed through), on a Redis and a MariaDB of their own (drills stop and start them)
 * and the shared S3 server reached through a TCP proxy a drill can cut.
 */
export interface Cluster {
  /** The load balancer: every client request goes here. */
  url: string;
  apis: Member[];
  workers: Member[];
  redis: PrivateService;
  mysql: PrivateService;
  s3: TcpProxy;
  /** The environment every process got. */
  env: Record<string, string>;
  /** The same settings seen from the test (S3 reached directly, not through the cuttable proxy). */
  config: Config;
  /** Connections of the test's own (MySQL, Redis, storage) for checks and the audit; opened once. */
  infra(): Promise<Infrastructure>;
  dir: string;
  close(): Promise<void>;
}

async function member(name: string, script: string, env: Record<string, string>, port: number, dir: string, probe: string): Promise<Member> {
  const launch = () => startProcess(name, process.execPath, [path.join(ROOT, 'dist/src', script)], env, path.join(dir, `${name}.log`));
  const url = `http://127.0.0.1:${port}`;
  const m: Member = {
    name,
    url,
    proc: launch(),
    running: () => m.proc.running(),
    async restart() {
      if (m.proc.running()) await m.proc.stop('SIGKILL');
      m.proc = launch();
      await waitFor(`${name} ready`, () => answers(`${url}${probe}`), 90_000, m.proc);
    },
    kill: (signal) => m.proc.stop(signal, 30_000),
    crash: () => m.proc.crash(),
  };
  await waitFor(`${name} ready`, () => answers(`${url}${probe}`), 90_000, m.proc);
  return m;
}

export async function startCluster(opts: { env?: Record<string, string>; workers?: number } = {}): Promise<Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-cluster-'));
  const [redis, mysql, s3] = await Promise.all([privateRedis(dir), privateMariaDb(dir), startTcpProxy()]);
  s3.target(S3_ENV.S3_ENDPOINT);
  const lbPort = await freePort();
  const id = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${lbPort}`,
    DATABASE_URL: `${mysql.url}/vp_cluster`,
    MIGRATE_ON_START: 'true',
    REDIS_URL: redis.url,
    REDIS_PREFIX: `vpc${id}`,
    ...S3_ENV,
    S3_ENDPOINT: s3.url,
    S3_BUCKET: `vpc-${id}`,
    JWT_SECRET: `cluster-test-secret-${id}-0123456789abcdef`,
    TRANSCODE_PRESET: 'ultrafast',
    ...opts.env,
  };
  const apis: Member[] = [];
  const workers: Member[] = [];
  let lb: Proc | null = null;
  let infra: Promise<Infrastructure> | null = null;
  const config = loadConfig({ ...env, S3_ENDPOINT: S3_ENV.S3_ENDPOINT, MIGRATE_ON_START: 'false', LOG_LEVEL: 'error' });
  const close = async () => {
    const ops = await infra?.catch(() => null);
    await Promise.all([...apis, ...workers].map((m) => m.proc.stop('SIGTERM', 10_000)));
    await lb?.stop('SIGTERM', 5000);
    if (ops) {
      for (const root of STORAGE_ROOTS) await ops.storage.deletePrefix(root).catch(() => undefined);
      await ops.close().catch(() => undefined);
    }
    await Promise.all([redis.stop(), mysql.stop(), s3.close()]);
    if (!process.env.CLUSTER_KEEP_LOGS) await rm(dir, { recursive: true, force: true });
  };
  try {
    // The first API applies the migrations; the others start once the schema is there.
    for (const i of [1, 2]) {
      const port = await freePort();
      apis.push(await member(`api${i}`, 'main.js', { ...env, PORT: String(port) }, port, dir, '/healthz'));
    }
    for (let i = 1; i <= (opts.workers ?? 2); i++) {
      const port = await freePort();
      workers.push(await member(`worker${i}`, 'worker.js', { ...env, WORKER_METRICS_PORT: String(port) }, port, dir, '/metrics'));
    }
    const addr = (u: string) => new URL(u).host;
    lb = startProcess('haproxy', 'haproxy', ['-f', HAPROXY_CFG, '-db'], { LB_BIND: `127.0.0.1:${lbPort}`, API1_ADDR: addr(apis[0].url), API2_ADDR: addr(apis[1].url) }, path.join(dir, 'haproxy.log'));
    await waitFor('load balancer', () => answers(`${env.PUBLIC_URL}/healthz`), 30_000, lb);
  } catch (err) {
    process.stderr.write(`cluster start failed; logs in ${dir}\n`);
    process.env.CLUSTER_KEEP_LOGS = '1';
    await close();
    throw err;
  }
  return {
    url: env.PUBLIC_URL,
    apis,
    workers,
    redis,
    mysql,
    s3,
    env,
    config,
    dir,
    infra: () => (infra ??= openInfrastructure(config, createLogger(config, 'test'))),
    close,
  };
}
