import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';

/**
 * `points` per `durationSeconds` for each key (a user, an IP…), counted in Redis so every API
 * process shares the budget. Spent: RATE_LIMITED with the seconds until the next point.
 */
export class RateBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    keyPrefix: string,
    opts: { points: number; durationSeconds: number },
    private readonly refusal: (retryAfterSeconds: number) => string,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: opts.points, duration: opts.durationSeconds });
  }

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', this.refusal(retryAfterSeconds), { retryAfterSeconds });
    }
  }

  /** Gives a point back (the work it paid for did not happen for a reason of ours); never throws. */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1).catch(() => undefined);
  }
}
