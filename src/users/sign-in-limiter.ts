import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AppError } from '../errors';

/**
 * Slows password guessing: after `maxFailures` wrong passwords for one email within the window,
 * sign-ins for that email are refused with RATE_LIMITED until the window ends. Counted in Redis,
 * so every API process shares the budget.
 */
export class SignInLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, prefix: string, private readonly maxFailures: number, windowSeconds: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ratelimit:signin`,
      points: maxFailures,
      duration: windowSeconds,
    });
  }

  async assertAllowed(email: string): Promise<void> {
    const state = await this.limiter.get(email);
    if (state && state.consumedPoints >= this.maxFailures) {
      const retryAfterSeconds = Math.ceil(state.msBeforeNext / 1000);
      throw new AppError('RATE_LIMITED', `Too many failed sign-ins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  async recordFailure(email: string): Promise<void> {
    // A rejection only means the budget is spent, which assertAllowed reports on the next try.
    await this.limiter.consume(email, 1).catch(() => undefined);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.limiter.delete(email);
  }
}
