import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';

export interface SignInLimits {
  /** Attempts per account from one client address. */
  maxFailures: number;
  /** Attempts per client address over all accounts. */
  ipMaxFailures: number;
  /** Attempts per account over all addresses. */
  accountMaxFailures: number;
  windowSeconds: number;
}

/**
 * Slows password guessing with three budgets, counted in Redis so every API process shares them:
 * account + address (a guesser is stopped without locking the owner out elsewhere), address (one
 * address spraying many accounts) and account (many addresses on one account, set higher).
 *
 * Consume first: every attempt takes its point before the password is checked (Redis INCR is
 * atomic), so parallel guesses cannot all pass a check made before they are counted. A success
 * gives the points back. `account` is the database's comparison key of the email (accents, case).
 */
export class SignInLimiter {
  private readonly byAccountAndIp: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;
  private readonly byAccount: RateLimiterRedis;

  constructor(redis: Redis, prefix: string, limits: SignInLimits) {
    const make = (name: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:ratelimit:signin:${name}`, points, duration: limits.windowSeconds });
    this.byAccountAndIp = make('account-ip', limits.maxFailures);
    this.byIp = make('ip', limits.ipMaxFailures);
    this.byAccount = make('account', limits.accountMaxFailures);
  }

  /** Takes one attempt from every budget, or throws RATE_LIMITED (with the longest wait). */
  async begin(account: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([
      this.byAccountAndIp.consume(`${account}|${ip}`, 1),
      this.byIp.consume(ip, 1),
      this.byAccount.consume(account, 1),
    ]);
    let waitMs = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
      waitMs = Math.max(waitMs, r.reason.msBeforeNext);
    }
    if (waitMs > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError('RATE_LIMITED', `Too many failed sign-ins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  /** The password was right: this account's count from this address is cleared, the others get their point back. */
  async succeeded(account: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccountAndIp.delete(`${account}|${ip}`),
      this.byIp.reward(ip, 1),
      this.byAccount.reward(account, 1),
    ]);
  }
}
