import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { UploadConfig } from '../config/config';
import { AppError } from '../errors';

/** Per-user budget of upload creations (multipart and tus together), shared by every API process via Redis. */
export class UploadRateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, prefix: string, config: Pick<UploadConfig, 'rateLimit' | 'rateWindowSeconds'>) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ratelimit:upload`,
      points: config.rateLimit,
      duration: config.rateWindowSeconds,
    });
  }

  /** Takes one point or throws RATE_LIMITED with the seconds until the next is available. */
  async consume(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterSeconds = Math.ceil(err.msBeforeNext / 1000);
      throw new AppError('RATE_LIMITED', `Too many uploads; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  /** Gives a point back when the creation was refused for a reason of ours, not the user's. */
  async refund(userId: string): Promise<void> {
    await this.limiter.reward(userId, 1).catch(() => undefined);
  }
}
