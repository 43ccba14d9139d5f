import type { Redis } from 'ioredis';
import type { PlaybackRepository } from '../db/repositories/playback.repository';

const BATCH = 500;

/**
 * View counts live in Redis (one HINCRBY per play start) and reach MySQL in batches. The hash
 * holds totals, seeded from the column on first count, so reads need no merge and a lost Redis
 * loses at most one flush interval of views.
 */
export class ViewCounter {
  private readonly totals: string;
  private readonly dirty: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly repo: PlaybackRepository,
  ) {
    this.totals = `${prefix}:views`;
    this.dirty = `${prefix}:views:dirty`;
  }

  async record(videoId: string, persisted: number): Promise<void> {
    await this.redis.multi().hsetnx(this.totals, videoId, persisted).hincrby(this.totals, videoId, 1).sadd(this.dirty, videoId).exec();
  }

  async counts(ids: readonly string[]): Promise<(number | null)[]> {
    if (!ids.length) return [];
    const raw = await this.redis.hmget(this.totals, ...ids);
    return raw.map((v) => (v === null ? null : Number(v)));
  }

  /** Writes every count changed since the last flush; safe to run in several processes at once. */
  async flush(): Promise<number> {
    let written = 0;
    for (;;) {
      const ids = await this.redis.spop(this.dirty, BATCH);
      if (!ids.length) return written;
      const values = await this.redis.hmget(this.totals, ...ids);
      const counts = new Map<string, number>();
      ids.forEach((id, i) => values[i] !== null && counts.set(id, Number(values[i])));
      try {
        await this.repo.setViewCounts(counts);
      } catch (err) {
        await this.redis.sadd(this.dirty, ...ids);
        throw err;
      }
      written += counts.size;
    }
  }

  async forget(videoId: string): Promise<void> {
    await this.redis.multi().hdel(this.totals, videoId).srem(this.dirty, videoId).exec();
  }
}
