import type { Redis } from 'ioredis';
import { RateBudget } from '../cache/rate-budget';
import type { UploadConfig } from '../config/config';

/** Per-user budget of upload creations (multipart and tus together), shared by every API process via Redis. */
export class UploadRateLimit {
  private readonly budget: RateBudget;

  constructor(redis: Redis, prefix: string, config: Pick<UploadConfig, 'rateLimit' | 'rateWindowSeconds'>) {
    this.budget = new RateBudget(
      redis,
      `${prefix}:ratelimit:upload`,
      { points: config.rateLimit, durationSeconds: config.rateWindowSeconds },
      (seconds) => `Too many uploads; try again in ${seconds} s`,
    );
  }

  /** Takes one point or throws RATE_LIMITED with the seconds until the next is available. */
  consume(userId: string): Promise<void> {
    return this.budget.consume(userId);
  }

  /** Gives a point back when the creation was refused for a reason of ours, not the user's. */
  refund(userId: string): Promise<void> {
    return this.budget.refund(userId);
  }
}
