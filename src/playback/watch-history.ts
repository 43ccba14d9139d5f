import type { Redis } from 'ioredis';
import type { PlaybackRepository, WatchRow } from '../db/repositories/playback.repository';

const BATCH = 500;
const IDLE_EXPIRY_SECONDS = 30 * 24 * 3600;

// Adds or moves an entry to the top, keeps the list bounded (dropping the oldest entries'
// positions too), marks the pair for the write-behind flush, and refreshes the idle expiry.
// Returns 0 and writes nothing when the list has not been loaded from MySQL yet, so the usual
// heartbeat costs one round trip instead of an EXISTS first.
const RECORD_SCRIPT = `
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
redis.call('SADD', KEYS[3], ARGV[5])
for i = 1, 2 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
redis.call('SET', KEYS[4], '1', 'EX', ARGV[6])
return 1`;

export interface WatchedVideo {
  videoId: string;
  positionSeconds: number;
  watchedAt: Date;
}

/**
 * Resume positions and the recently-watched list per user, hot in Redis (a sorted set by time
 * plus a hash of positions), written behind to MySQL every few seconds. After a Redis loss the
 * list is reloaded from MySQL on first use.
 */
export class WatchHistory {
  private readonly dirty: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly repo: PlaybackRepository,
    private readonly max: number,
  ) {
    this.dirty = `${prefix}:watch:dirty`;
  }

  private keys(userId: string) {
    const base = `${this.prefix}:watch:${userId}`;
    return { list: `${base}:list`, positions: `${base}:pos`, loaded: `${base}:loaded` };
  }

  async record(userId: string, videoId: string, positionSeconds: number, at: Date = new Date()): Promise<void> {
    const k = this.keys(userId);
    const run = () => this.redis.eval(
      RECORD_SCRIPT,
      4,
      k.list,
      k.positions,
      this.dirty,
      k.loaded,
      at.getTime(),
      videoId,
      positionSeconds,
      this.max,
      `${userId}:${videoId}`,
      IDLE_EXPIRY_SECONDS,
    );
    if ((await run()) === 0) {
      await this.ensureLoaded(userId);
      await run();
    }
  }

  /** Newest first, at most `limit` (bounded by the list size). */
  async recent(userId: string, limit: number): Promise<WatchedVideo[]> {
    await this.ensureLoaded(userId);
    const k = this.keys(userId);
    const flat = await this.redis.zrevrange(k.list, 0, Math.max(0, limit - 1), 'WITHSCORES');
    const ids: string[] = [];
    const times: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i] ?? '');
      times.push(Number(flat[i + 1]));
    }
    if (!ids.length) return [];
    const positions = await this.redis.hmget(k.positions, ...ids);
    return ids.map((videoId, i) => ({ videoId, positionSeconds: Number(positions[i] ?? 0), watchedAt: new Date(times[i] ?? 0) }));
  }

  async remove(userId: string, videoIds: string[]): Promise<void> {
    if (!videoIds.length) return;
    const k = this.keys(userId);
    await this.redis.multi().zrem(k.list, ...videoIds).hdel(k.positions, ...videoIds).exec();
  }

  /** Writes every pair changed since the last flush; safe to run in several processes at once. */
  async flush(): Promise<number> {
    let written = 0;
    for (;;) {
      const pairs = await this.redis.spop(this.dirty, BATCH);
      if (!pairs.length) return written;
      const read = this.redis.pipeline();
      const parsed = pairs.map((p) => {
        const [userId = '', videoId = ''] = p.split(':');
        const k = this.keys(userId);
        read.zscore(k.list, videoId).hget(k.positions, videoId);
        return { userId, videoId };
      });
      const results = ((await read.exec()) ?? []).map(([, v]) => v as string | null);
      const rows: WatchRow[] = [];
      parsed.forEach((p, i) => {
        const score = results[2 * i];
        const pos = results[2 * i + 1];
        // Gone from Redis (trimmed off the list): nothing to keep.
        if (score !== null && score !== undefined && pos !== null && pos !== undefined) {
          rows.push({ ...p, positionSeconds: Number(pos), watchedAt: new Date(Number(score)) });
        }
      });
      try {
        await this.repo.upsertWatch(rows);
      } catch (err) {
        await this.redis.sadd(this.dirty, ...pairs);
        throw err;
      }
      written += rows.length;
    }
  }

  /** After a Redis restart (or idle expiry) the durable copy refills the list, newer entries win. */
  private async ensureLoaded(userId: string): Promise<void> {
    const k = this.keys(userId);
    if (await this.redis.exists(k.loaded)) return;
    const rows = await this.repo.recentWatch(userId, this.max);
    const tx = this.redis.multi();
    for (const r of rows) tx.zadd(k.list, 'NX', r.watchedAt.getTime(), r.videoId).hsetnx(k.positions, r.videoId, r.positionSeconds);
    tx.set(k.loaded, '1', 'EX', IDLE_EXPIRY_SECONDS);
    if (rows.length) tx.expire(k.list, IDLE_EXPIRY_SECONDS).expire(k.positions, IDLE_EXPIRY_SECONDS);
    await tx.exec();
  }
}
