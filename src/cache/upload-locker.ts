import { randomBytes } from 'node:crypto';
import type { Lock, Locker, RequestRelease } from '@tus/server';
import type { Redis } from 'ioredis';
import { tusUnavailable } from '../errors';

export interface UploadLockerOptions {
  /** How long a lock outlives its holder's last renewal (a crashed process frees its uploads after this). */
  leaseMs: number;
  /** How long a request waits for a lock held elsewhere before it is answered 423. */
  acquireTimeoutMs: number;
  /** Pause between attempts while waiting. */
  retryMs: number;
}

const DEFAULTS: UploadLockerOptions = { leaseMs: 10_000, acquireTimeoutMs: 20_000, retryMs: 100 };

// Compare-and-act on the lease, so a holder whose lease ran out never touches its successor's.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** tus errors are `{ status_code, body }`; 423 tells tus clients to retry later. */
const LOCKED = { status_code: 423, body: 'The upload is busy with another request; retry shortly\n' };
const UNAVAILABLE = tusUnavailable('Uploads are unavailable for a moment; retry shortly');

/**
 * The cross-process `locker` for @tus/server: one request at a time per upload, whichever API
 * process it reaches. A lock is a Redis lease (`SET NX PX`) renewed while the request runs, so a
 * process that dies frees its uploads after `leaseMs`. As tus asks of a locker, a request that
 * wants a lock held elsewhere asks the holder to let go (pub/sub): the holder's request is ended
 * (tus gives it a few seconds to drain) and the waiter gets the lock, then checks its offset like
 * any PATCH: a second PATCH at the same offset gets 409, never interleaved bytes.
 */
export class RedisUploadLocker implements Locker {
  private readonly held = new Map<string, RequestRelease>();
  private readonly options: UploadLockerOptions;
  readonly channel: string;
  private readonly onMessage = (channel: string, id: string) => {
    if (channel === this.channel) void this.held.get(id)?.();
  };

  constructor(
    readonly redis: Redis,
    private readonly subscriber: Redis,
    readonly prefix: string,
    options: Partial<UploadLockerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.channel = `${prefix}:tus-lock:release`;
    subscriber.on('message', this.onMessage);
    // Not before the connection is ready: a SUBSCRIBE sent among ioredis's connect-time commands
    // turns them into errors. ioredis subscribes again by itself after a reconnect.
    const subscribe = () => void subscriber.subscribe(this.channel).catch(() => undefined);
    if (subscriber.status === 'ready') subscribe();
    else subscriber.once('ready', subscribe);
  }

  newLock(id: string): Lock {
    return new RedisUploadLock(this, id, this.options);
  }

  keyOf(id: string): string {
    return `${this.prefix}:tus-lock:${id}`;
  }

  /** @internal the lock's holder registers how to be asked to let go. */
  hold(id: string, release: RequestRelease): void {
    this.held.set(id, release);
  }

  /** @internal only the current holder's registration is dropped (an older holder may unlock late). */
  letGo(id: string, release: RequestRelease): void {
    if (this.held.get(id) === release) this.held.delete(id);
  }

  /** Stops answering release requests; the subscription itself ends with the connection. */
  close(): void {
    this.subscriber.off('message', this.onMessage);
  }
}

class RedisUploadLock implements Lock {
  private readonly token = randomBytes(16).toString('hex');
  private renewal: NodeJS.Timeout | null = null;
  private release: RequestRelease | null = null;

  constructor(
    private readonly locker: RedisUploadLocker,
    private readonly id: string,
    private readonly options: UploadLockerOptions,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { redis } = this.locker;
    const key = this.locker.keyOf(this.id);
    const deadline = Date.now() + this.options.acquireTimeoutMs;
    let askedAt = 0;
    for (;;) {
      let acquired: string | null;
      try {
        acquired = await redis.set(key, this.token, 'PX', this.options.leaseMs, 'NX');
      } catch {
        throw UNAVAILABLE;
      }
      if (acquired === 'OK') break;
      if (signal.aborted || Date.now() >= deadline) throw LOCKED;
      // Ask the holder to let go, again now and then in case it took the lock after our first ask.
      if (Date.now() - askedAt > 1000) {
        askedAt = Date.now();
        await redis.publish(this.locker.channel, this.id).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, this.options.retryMs));
    }
    this.release = requestRelease;
    this.locker.hold(this.id, requestRelease);
    this.renew(key, requestRelease);
  }

  /** Keeps the lease while the request runs; a lease that was lost (or cannot be confirmed in time) ends the request. */
  private renew(key: string, requestRelease: RequestRelease): void {
    const every = Math.max(50, Math.floor(this.options.leaseMs / 3));
    let confirmedAt = Date.now();
    this.renewal = setInterval(() => {
      this.locker.redis
        .eval(RENEW, 1, key, this.token, String(this.options.leaseMs))
        .then((ok) => {
          if (ok === 1) confirmedAt = Date.now();
          else void requestRelease();
        })
        .catch(() => {
          if (Date.now() - confirmedAt >= this.options.leaseMs) void requestRelease();
        });
    }, every);
    this.renewal.unref();
  }

  async unlock(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
    if (this.release) this.locker.letGo(this.id, this.release);
    this.release = null;
    // If Redis is away the lease simply runs out; the request's outcome does not depend on it.
    await this.locker.redis.eval(RELEASE, 1, this.locker.keyOf(this.id), this.token).catch(() => undefined);
  }
}
