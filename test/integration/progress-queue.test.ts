import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/config/logger';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { makeClip, mediaDir, waitForJob } from '../helpers/media';
import { uploadFile } from '../helpers/uploads';

interface Event { status: string; phase: string; percent: number; queuePosition: number | null }
const PROGRESS = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent queuePosition } }';

/** A busy platform does not look frozen: a queued video hears how many jobs are ahead, and each time that changes. */
describe('queue position while QUEUED', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let worker: RunningWorker | null = null;

  before(async () => {
    stack = await startStack({ env: { WORKER_CONCURRENCY: '1' } });
    media = await mediaDir();
  });
  after(async () => {
    await worker?.close();
    await stack.close();
    await media.cleanup();
  });

  it('counts the jobs ahead, from the snapshot on, down to 0, then processing starts', { timeout: 240_000 }, async () => {
    const owner = await signUp(stack.url);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const clip = await makeClip(path.join(media.dir, `c${i}.mp4`), { size: '320x240', seconds: 2, extra: ['-metadata', `title=c${i}`] });
      const r = await uploadFile(stack.url, owner.token, clip, { title: `Queued ${i}`, visibility: 'PUBLIC' });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      ids.push(r.data!.uploadVideo.id);
    }
    const client = wsClient(stack.url, owner.token);
    const sub = collect<{ videoProgress: Event }>(client, PROGRESS, { id: ids[2] }, (e) => e.videoProgress.status !== 'QUEUED', 180_000);
    await sub.ready;
    worker = await startWorker(stack.config, createLogger(stack.config, 'worker'));
    const events = (await sub.done).map((e) => e.videoProgress);
    await client.dispose();
    const queued = events.filter((e) => e.status === 'QUEUED');
    assert.equal(queued[0].queuePosition, 2, `the first event (the snapshot) says two jobs are ahead: ${JSON.stringify(events)}`);
    const positions = queued.map((e) => e.queuePosition);
    assert.deepEqual(positions, [2, 1, 0], JSON.stringify(events));
    assert.ok(queued.every((e) => e.phase === 'QUEUED' && e.percent === 20));
    assert.equal(events.at(-1)!.status, 'PROCESSING');
    for (const id of ids) assert.equal(await waitForJob(stack, id), 'completed');
  });
});
