import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/logger';
import { startApi, type RunningApi } from '../../src/app/api';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { STORAGE_ROOTS } from '../../src/storage/keys';

export const S3_ENV = {
  S3_ENDPOINT: process.env.TEST_S3_ENDPOINT ?? 'http://127.0.0.1:7480',
  S3_ACCESS_KEY: process.env.TEST_S3_ACCESS_KEY ?? 'testaccess',
  S3_SECRET_KEY: process.env.TEST_S3_SECRET_KEY ?? 'testsecret',
  // Every test stack uses a bucket of its own, made at start-up.
  S3_CREATE_BUCKET: 'true',
};

const MYSQL_ROOT = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * A config isolated from every other test run: its own database, Redis key prefix and bucket.
 * S3 storage by default; pass STORAGE_DRIVER=local and DATA_DIR for the disk driver.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const id = uniqueName('vpt');
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: `${MYSQL_ROOT}/${id}`,
    MIGRATE_ON_START: 'true',
    REDIS_PREFIX: id,
    S3_BUCKET: id.replace(/_/g, '-'),
    ...S3_ENV,
    ...overrides,
  });
}

export async function dropDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = parsed.pathname.slice(1);
  parsed.pathname = '/';
  const ds = new DataSource({ type: 'mysql', url: parsed.toString() });
  await ds.initialize();
  await ds.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await ds.destroy();
}

export interface TestStack {
  config: Config;
  api: RunningApi;
  worker: RunningWorker | null;
  url: string;
  close(): Promise<void>;
}

/** A port free right now, so PUBLIC_URL (and every URL the API hands out) can name it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the real API (and optionally a worker) on an ephemeral port against real services. */
export async function startStack(opts: { worker?: boolean; env?: Record<string, string> } = {}): Promise<TestStack> {
  const port = await freePort();
  const config = testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...opts.env });
  const api = await startApi(config, createLogger(config, 'api'));
  const worker = opts.worker ? await startWorker(config, createLogger(config, 'worker')) : null;
  return {
    config,
    api,
    worker,
    url: api.url,
    async close() {
      await worker?.close();
      const storage = api.infra.storage;
      for (const root of STORAGE_ROOTS) await storage.deletePrefix(root).catch(() => undefined);
      await api.infra.redis.eval(
        "for _,k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end",
        0,
        `${config.redisPrefix}*`,
      );
      await api.close();
      await dropDatabase(config.databaseUrl);
    },
  };
}
