import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VideoProgress } from '../../src/events/progress';
import { QueuePositions } from '../../src/videos/queue-positions';

/** A queue of `waiting` jobs whose first ones are the transcodes of `window` (as BullMQ lists them). */
function positions(window: string[], waiting: number) {
  const published: VideoProgress[] = [];
  const queue = new QueuePositions({
    jobs: { waitingVideos: async (_name, limit) => window.slice(0, limit), waitingCount: async () => waiting },
    events: { publish: (e: VideoProgress) => void published.push(e) },
  });
  return { queue, published };
}

describe('queue positions', () => {
  it('announces every waiting video its jobs ahead, or one video its own', async () => {
    const all = positions(['a', 'b', 'c'], 3);
    await all.queue.announce();
    assert.deepEqual(all.published.map((e) => [e.videoId, e.queuePosition, e.status, e.phase]), [['a', 0, 'QUEUED', 'QUEUED'], ['b', 1, 'QUEUED', 'QUEUED'], ['c', 2, 'QUEUED', 'QUEUED']]);
    const one = positions(['a', 'b', 'c'], 3);
    await one.queue.announce('b');
    assert.deepEqual(one.published.map((e) => [e.videoId, e.queuePosition]), [['b', 1]]);
  });

  it('tells a video enqueued past the first 200 waiting jobs how many are ahead of it', async () => {
    const window = Array.from({ length: 200 }, (_, i) => `v${i}`);
    const far = positions(window, 750);
    await far.queue.announce('late');
    assert.deepEqual(far.published.map((e) => [e.videoId, e.queuePosition]), [['late', 749]]);
    // Not waiting at all (the window holds every waiting job): nothing to say.
    const gone = positions(['a'], 1);
    await gone.queue.announce('late');
    assert.deepEqual(gone.published, []);
  });
});
