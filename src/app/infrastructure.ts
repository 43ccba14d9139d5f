import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createRedis } from '../cache/redis';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { createDataSource, ensureDatabase } from '../db/data-source';
import { createStorage } from '../storage/create-storage';
import { withTimeout } from '../utils/timeout';
import type { ObjectStorage } from '../storage/storage';

/** The connections both processes hold: MySQL, Redis (commands + pub/sub) and object storage. */
export interface Infrastructure {
  ds: DataSource;
  /** Commands (cache, limits, locks, the queue handle): each fails after REDIS_COMMAND_TIMEOUT_MS when Redis is away. */
  redis: Redis;
  subscriber: Redis;
  /**
   * Progress events only: no timeout, so what is published while Redis is away waits (in memory)
   * and goes out, in order, when it is back; nobody waits for a publish.
   */
  publisher: Redis;
  storage: ObjectStorage;
  /** Statements sent to MySQL since start (tests use it to prove batching). */
  queryCount: () => number;
  close(): Promise<void>;
}

export async function openInfrastructure(config: Config, logger: Logger): Promise<Infrastructure> {
  let queries = 0;
  if (config.migrateOnStart) await ensureDatabase(config.databaseUrl);
  const ds = createDataSource({ url: config.databaseUrl, onQuery: () => (queries += 1) });
  await ds.initialize();
  if (config.migrateOnStart) {
    const ran = await ds.runMigrations({ transaction: 'each' });
    if (ran.length) logger.info({ migrations: ran.map((m) => m.name) }, 'applied migrations');
  }
  const redis = createRedis(config.redisUrl, 'commands', { commandTimeout: config.redisCommandTimeoutMs });
  const subscriber = createRedis(config.redisUrl, 'subscriber');
  const publisher = createRedis(config.redisUrl, 'publisher');
  for (const [role, conn] of [['redis', redis], ['redis-subscriber', subscriber], ['redis-publisher', publisher]] as const) {
    conn.on('error', (err: Error) => logger.warn({ err: err.message, role }, 'redis connection error'));
  }
  const storage = await createStorage(config.storage);
  return {
    ds,
    redis,
    subscriber,
    publisher,
    storage,
    queryCount: () => queries,
    async close() {
      for (const conn of [redis, subscriber, publisher]) {
        await withTimeout(conn.quit(), 2000, 'redis quit').catch(() => conn.disconnect());
      }
      await ds.destroy();
    },
  };
}
