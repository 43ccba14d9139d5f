import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/config/logger';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { makeClip, mediaDir, waitForJob } from '../helpers/media';
import { uploadFile } from '../helpers/uploads';

interface Event { status: string; phase: string; percent: number; etaSeconds: number | null; bytesReceived: number | null; playable: boolean; message: string | null }
const PROGRESS = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent etaSeconds bytesReceived playable message } }';

/** A subscription's first event is where the video stands now: late subscribers, reconnects and reloads never wait for a change. */
describe('progress snapshot on subscribe', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let worker: RunningWorker | null = null;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let id: string;
  let size: number;

  before(async () => {
    stack = await startStack();
    media = await mediaDir();
    owner = await signUp(stack.url);
    const clip = await makeClip(path.join(media.dir, 'clip.mp4'), { size: '1280x720', seconds: 12 });
    const r = await uploadFile(stack.url, owner.token, clip, { title: 'Snapshot', visibility: 'PUBLIC' });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    id = r.data!.uploadVideo.id;
    size = r.data!.uploadVideo.sizeBytes!;
  });
  after(async () => {
    await worker?.close();
    await stack.close();
    await media.cleanup();
  });

  const firstEvent = async (timeoutMs: number) => {
    const client = wsClient(stack.url, owner.token);
    const sub = collect<{ videoProgress: Event }>(client, PROGRESS, { id }, () => true, timeoutMs);
    const [e] = await sub.done;
    await client.dispose();
    return { event: e.videoProgress };
  };

  it('while QUEUED with no worker running (nothing else is published), the first event is the stored QUEUED one', async () => {
    const { event } = await firstEvent(5000);
    assert.deepEqual([event.status, event.phase, event.percent, event.bytesReceived], ['QUEUED', 'QUEUED', 20, size]);
  });

  it('mid-processing, a late subscriber starts from the current phase and percent, not from zero', { timeout: 240_000 }, async () => {
    const watcher = wsClient(stack.url, owner.token);
    let lastSeen = 0;
    const until = (p: number) => collect<{ videoProgress: Event }>(watcher, PROGRESS, { id }, (e) => {
      lastSeen = e.videoProgress.percent;
      return ['READY', 'FAILED'].includes(e.videoProgress.status) || (e.videoProgress.phase === 'TRANSCODE' && e.videoProgress.percent >= p);
    }, 180_000);
    const sub = until(40);
    await sub.ready;
    worker = await startWorker(stack.config, createLogger(stack.config, 'worker'));
    await sub.done;
    await watcher.dispose();
    // How soon is not asserted (events flow every second while it runs, and a loaded machine is
    // slow); where it starts is: the first event reads the stored state, not zero.
    const { event } = await firstEvent(5000);
    assert.equal(event.status, 'PROCESSING', JSON.stringify(event));
    assert.ok(['TRANSCODE', 'THUMBNAILS', 'PUBLISH'].includes(event.phase), event.phase);
    assert.ok(event.percent >= lastSeen, `${event.percent} < ${lastSeen}`);
    assert.ok(event.playable);
  });

  it('once READY, a subscription gets the final state and completes', { timeout: 240_000 }, async () => {
    assert.equal(await waitForJob(stack, id), 'completed');
    const client = wsClient(stack.url, owner.token);
    // `until` never stops it: only the server completing the subscription ends the collection.
    const events = await collect<{ videoProgress: Event }>(client, PROGRESS, { id }, () => false, 5000).done;
    await client.dispose();
    assert.deepEqual(events.map((e) => [e.videoProgress.status, e.videoProgress.phase, e.videoProgress.percent, e.videoProgress.playable]), [['READY', 'DONE', 100, true]]);
  });
});
