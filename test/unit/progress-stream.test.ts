import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VideoStatus } from '../../src/domain/video-status';
import type { ProgressSubscriber } from '../../src/events/event-bus';
import type { VideoProgress } from '../../src/events/progress';
import { currentEvent, followProgress, type VideoState } from '../../src/events/progress-stream';

const ID = 'v1';
const ev = (seq: number, status: VideoStatus, phase: VideoProgress['phase'], percent: number): VideoProgress => ({ videoId: ID, status, phase, percent, seq });

/** A bus whose live stream replays `live` once listening started, with `snapshot` as the stored last event. */
function fakeBus(snapshot: VideoProgress | null, live: VideoProgress[]): Pick<ProgressSubscriber, 'subscribe' | 'listening' | 'latest'> & { order: string[] } {
  const order: string[] = [];
  return {
    order,
    subscribe: () => ({
      [Symbol.asyncIterator]() {
        // An open stream, like the pub/sub one: `next` waits past the last event until `return`.
        let i = 0;
        let close: (r: IteratorResult<VideoProgress>) => void = () => undefined;
        const closed = new Promise<IteratorResult<VideoProgress>>((r) => (close = r));
        return {
          next: async () => {
            if (i === 0) order.push('listen');
            return i < live.length ? { value: live[i++], done: false } : closed;
          },
          return: async () => {
            close({ value: undefined, done: true });
            return { value: undefined, done: true };
          },
        };
      },
    }),
    listening: async () => void order.push('acknowledged'),
    latest: async () => {
      order.push('snapshot');
      return snapshot;
    },
  };
}

const state = (status: VideoStatus, extra: Partial<VideoState> = {}): VideoState => ({ id: ID, status, failureReason: null, playable: false, sizeBytes: 1000, ...extra });

async function take(it: AsyncGenerator<VideoProgress>, max = 10): Promise<VideoProgress[]> {
  const out: VideoProgress[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

describe('followProgress', () => {
  it('listens before reading the snapshot, sends it first, then only newer live events, and ends after READY', async () => {
    const bus = fakeBus(ev(5, VideoStatus.PROCESSING, 'TRANSCODE', 50), [
      ev(4, VideoStatus.PROCESSING, 'TRANSCODE', 45), // published before the snapshot was read: already in it
      ev(5, VideoStatus.PROCESSING, 'TRANSCODE', 50),
      ev(6, VideoStatus.PROCESSING, 'TRANSCODE', 60),
      ev(7, VideoStatus.READY, 'DONE', 100),
      ev(8, VideoStatus.PROCESSING, 'PROBE', 20),
    ]);
    const got = await take(followProgress(bus, state(VideoStatus.PROCESSING)));
    assert.deepEqual(got.map((e) => e.seq), [5, 6, 7]);
    assert.deepEqual(bus.order.slice(0, 3), ['listen', 'acknowledged', 'snapshot']);
  });

  it('gives a READY or FAILED video its final state and completes', async () => {
    const ready = await take(followProgress(fakeBus(null, [ev(1, VideoStatus.PROCESSING, 'PROBE', 20)]), state(VideoStatus.READY, { playable: true })));
    assert.deepEqual(ready.map((e) => [e.status, e.phase, e.percent, e.playable]), [[VideoStatus.READY, 'DONE', 100, true]]);
    const failed = await take(followProgress(fakeBus(null, []), state(VideoStatus.FAILED, { failureReason: 'bad media' })));
    assert.deepEqual(failed.map((e) => [e.status, e.message]), [[VideoStatus.FAILED, 'bad media']]);
  });

  it('stops listening as soon as the subscriber leaves, even while it waits for a live event that may never come', async () => {
    const bus = fakeBus(null, []);
    let closed = false;
    const subscribe = bus.subscribe;
    bus.subscribe = (id) => {
      const it = subscribe(id)[Symbol.asyncIterator]();
      return { [Symbol.asyncIterator]: () => ({ next: () => it.next(), return: () => ((closed = true), it.return!()) }) };
    };
    const events = followProgress(bus, state(VideoStatus.PROCESSING));
    assert.equal((await events.next()).value?.phase, 'PROBE');
    const waiting = events.next();
    const left = await Promise.race([events.return(undefined).then(() => 'left'), new Promise((r) => setTimeout(() => r('still waiting'), 500))]);
    assert.equal(left, 'left');
    assert.ok(closed, 'the live stream was closed');
    assert.deepEqual(await waiting, { value: undefined, done: true });
  });
});

describe('currentEvent', () => {
  it('prefers the snapshot, lets the database decide READY and FAILED, and falls back to the start of the status', () => {
    const snap = ev(3, VideoStatus.QUEUED, 'QUEUED', 20);
    assert.equal(currentEvent(snap, state(VideoStatus.QUEUED)), snap);
    assert.equal(currentEvent(ev(9, VideoStatus.PROCESSING, 'PUBLISH', 97), state(VideoStatus.READY)).status, VideoStatus.READY);
    assert.deepEqual([currentEvent(null, state(VideoStatus.QUEUED)).phase, currentEvent(null, state(VideoStatus.QUEUED)).percent], ['QUEUED', 20]);
    assert.deepEqual([currentEvent(null, state(VideoStatus.UPLOADING)).phase, currentEvent(null, state(VideoStatus.UPLOADING)).percent], ['UPLOAD', 0]);
  });
});
