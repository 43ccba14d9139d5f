import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalFanout } from '../../src/events/local-fanout';

/** A controllable upstream per key: `emit` pushes, `fail` throws, and it records opening and closing. */
function upstreams() {
  const log: string[] = [];
  const open = new Map<string, { emit(v: number): void; fail(e: Error): void }>();
  const fanout = new LocalFanout<number>((key) => ({
    [Symbol.asyncIterator]() {
      log.push(`open ${key}`);
      const queue: number[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      let error: Error | null = null;
      open.set(key, {
        emit: (v) => {
          queue.push(v);
          wake?.();
        },
        fail: (e) => {
          error = e;
          wake?.();
        },
      });
      return {
        async next(): Promise<IteratorResult<number>> {
          log.push(`next ${key}`);
          for (;;) {
            if (error) throw error;
            if (closed) return { value: undefined, done: true };
            if (queue.length) return { value: queue.shift()!, done: false };
            await new Promise<void>((r) => (wake = r));
          }
        },
        async return(): Promise<IteratorResult<number>> {
          log.push(`close ${key}`);
          closed = true;
          open.delete(key);
          wake?.();
          return { value: undefined, done: true };
        },
      };
    },
  }));
  return { fanout, log, open };
}

describe('LocalFanout: one upstream per key for every local follower', () => {
  it('opens the upstream at the first follower\'s first next() (synchronously), shares it, and closes it after the last one leaves', async () => {
    const { fanout, log, open } = upstreams();
    const a = fanout.follow('v1')[Symbol.asyncIterator]();
    assert.equal(log.length, 0, 'nothing before next()');
    const firstA = a.next();
    assert.deepEqual(log, ['open v1', 'next v1'], 'listening started before next() returned');
    const b = fanout.follow('v1')[Symbol.asyncIterator]();
    const firstB = b.next();
    const other = fanout.follow('v2')[Symbol.asyncIterator]();
    const firstOther = other.next();
    assert.equal(fanout.size, 2);
    open.get('v1')!.emit(1);
    open.get('v1')!.emit(2);
    open.get('v2')!.emit(9);
    assert.deepEqual(await firstA, { value: 1, done: false });
    assert.deepEqual(await firstB, { value: 1, done: false });
    assert.deepEqual(await firstOther, { value: 9, done: false });
    // b took nothing more yet: it gets 2 from its own buffer, in order, after a moved on.
    assert.deepEqual(await a.next(), { value: 2, done: false });
    open.get('v1')!.emit(3);
    assert.deepEqual([await b.next(), await b.next()], [{ value: 2, done: false }, { value: 3, done: false }]);
    assert.equal(log.filter((l) => l === 'open v1').length, 1, 'one upstream for both followers');
    await a.return!();
    assert.ok(open.has('v1'), 'b still follows');
    const pending = b.next();
    await b.return!();
    assert.deepEqual(await pending, { value: undefined, done: true }, 'a pending next ends when its follower leaves');
    assert.ok(!open.has('v1') && log.includes('close v1'));
    assert.equal(fanout.size, 1);
    await other.return!();
    assert.equal(fanout.size, 0);
  });

  it('opens a fresh upstream for a follower that comes after the last one left', async () => {
    const { fanout, log, open } = upstreams();
    const a = fanout.follow('v1')[Symbol.asyncIterator]();
    void a.next();
    await a.return!();
    const b = fanout.follow('v1')[Symbol.asyncIterator]();
    const next = b.next();
    open.get('v1')!.emit(5);
    assert.deepEqual(await next, { value: 5, done: false });
    assert.deepEqual(log.filter((l) => l.startsWith('open') || l.startsWith('close')), ['open v1', 'close v1', 'open v1']);
    await b.return!();
  });

  it('passes an upstream failure to every follower, then ends', async () => {
    const { fanout, open } = upstreams();
    const a = fanout.follow('v1')[Symbol.asyncIterator]();
    const b = fanout.follow('v1')[Symbol.asyncIterator]();
    const firsts = [a.next(), b.next()];
    open.get('v1')!.emit(1);
    assert.deepEqual(await Promise.all(firsts), [{ value: 1, done: false }, { value: 1, done: false }]);
    // a waits for its next event; b is not asking when the upstream fails.
    const pendingA = a.next();
    open.get('v1')!.fail(new Error('gone'));
    await assert.rejects(pendingA, /gone/);
    await assert.rejects(b.next(), /gone/);
    assert.deepEqual(await b.next(), { value: undefined, done: true });
    assert.equal(fanout.size, 0);
  });
});
