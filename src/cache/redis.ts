import { Redis, type RedisOptions } from 'ioredis';

/**
 * One Redis server serves the queue, the cache and pub/sub; each role gets its own
 * connection because a subscriber or a blocking BullMQ worker cannot share one.
 */
export function createRedis(url: string, role: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: `video-platform:${role}`,
    // BullMQ needs null here; for the others it means commands wait for a reconnect.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...extra,
  });
}
