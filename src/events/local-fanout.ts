/** One key's upstream and the local followers it feeds. */
interface Topic<T> {
  followers: Set<Follower<T>>;
  upstream: AsyncIterator<T>;
}

interface Follower<T> {
  push(value: T): void;
  /** The upstream finished; with `failure` when it threw (the follower's `next()` then rejects). */
  end(failure?: { error: unknown }): void;
}

/**
 * Shares one upstream stream per key between every local follower of that key: a thousand
 * subscriptions to one video's progress are one pub/sub listener, and each event reaches them in
 * one synchronous loop rather than through a chain of async iterators each. The upstream opens
 * with the first follower's first `next()` (its first `next()` is called then, synchronously, so
 * whatever it sends to start listening is sent before the caller goes on) and is closed when the
 * last follower leaves. Each follower buffers what it has not yet taken, in order.
 */
export class LocalFanout<T> {
  private readonly topics = new Map<string, Topic<T>>();

  constructor(private readonly open: (key: string) => AsyncIterable<T>) {}

  /** How many keys have an open upstream (for tests and metrics). */
  get size(): number {
    return this.topics.size;
  }

  follow(key: string): AsyncIterable<T> {
    return { [Symbol.asyncIterator]: () => this.follower(key) };
  }

  private follower(key: string): AsyncIterator<T> {
    const queue: T[] = [];
    let waiting: { resolve: (r: IteratorResult<T, undefined>) => void; reject: (err: unknown) => void } | null = null;
    let topic: Topic<T> | null = null;
    let ended = false;
    let failure: { error: unknown } | undefined;
    const finish = () => {
      const w = waiting;
      waiting = null;
      if (failure) w?.reject(failure.error);
      else w?.resolve({ value: undefined, done: true });
    };
    const self: Follower<T> = {
      push: (value) => {
        if (!waiting) return void queue.push(value);
        const w = waiting;
        waiting = null;
        w.resolve({ value, done: false });
      },
      end: (f) => {
        ended = true;
        failure = f;
        finish();
      },
    };
    const leave = () => {
      ended = true;
      failure = undefined;
      queue.length = 0;
      finish();
      if (topic) this.leave(key, topic, self);
      topic = null;
    };
    return {
      next: () => {
        if (!topic && !ended) topic = this.join(key, self);
        if (queue.length) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (failure) {
          const { error } = failure;
          failure = undefined;
          return Promise.reject(error);
        }
        if (ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<T, undefined>>((resolve, reject) => (waiting = { resolve, reject }));
      },
      return: () => {
        leave();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private join(key: string, follower: Follower<T>): Topic<T> {
    const existing = this.topics.get(key);
    if (existing) {
      existing.followers.add(follower);
      return existing;
    }
    const topic: Topic<T> = { followers: new Set([follower]), upstream: this.open(key)[Symbol.asyncIterator]() };
    this.topics.set(key, topic);
    void this.pump(key, topic);
    return topic;
  }

  private leave(key: string, topic: Topic<T>, follower: Follower<T>): void {
    topic.followers.delete(follower);
    if (topic.followers.size > 0) return;
    if (this.topics.get(key) === topic) this.topics.delete(key);
    void topic.upstream.return?.()?.catch(() => undefined);
  }

  private async pump(key: string, topic: Topic<T>): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        // The first call runs before this function first awaits: the upstream starts listening now.
        const r = await topic.upstream.next();
        if (r.done) break;
        for (const f of topic.followers) f.push(r.value);
      }
    } catch (error) {
      // Each follower hears it, as it would have from a stream of its own.
      failure = { error };
    } finally {
      if (this.topics.get(key) === topic) this.topics.delete(key);
      for (const f of topic.followers) f.end(failure);
    }
  }
}
