import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sourceKey } from '../../src/storage/keys';
import { listVideoObjects } from '../../src/storage/video-objects';
import { startStack, type TestStack } from '../helpers/env';
import { collect, gql, signUp, wsClient } from '../helpers/graphql';
import { makeClip, mediaDir, queueVideo, enqueue, type MediaDir } from '../helpers/media';

const run = promisify(execFile);

/** Command lines of the ffmpeg processes working on this video (its workspace is named after it). */
async function ffmpegsOf(videoId: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  return stdout.split('\n').filter((l) => /^\S*ffmpeg\s/.test(l) && l.includes(`vp-transcode-${videoId}`));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | false>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Issue 9, item 11: deleting a video while its ladder encodes stops ffmpeg within seconds, and
 * no object of any generation (the published first-playable one, the one being encoded, the
 * source) survives, including what the worker writes after the delete's own storage purge.
 */
describe('delete during processing (issue 9, item 11)', () => {
  let stack: TestStack;
  let media: MediaDir;

  before(async () => {
    stack = await startStack({ worker: true });
    media = await mediaDir();
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('stops the running ffmpeg within seconds and leaves no object behind', { timeout: 240_000 }, async (t) => {
    // Long enough that the full ladder is still encoding well after the first playable version.
    const clip = await makeClip(path.join(media.dir, 'long.mp4'), { size: '1280x720', seconds: 40 });
    const owner = await signUp(stack.url);
    const id = await queueVideo(stack, owner.userId, clip, { enqueue: false });
    const client = wsClient(stack.url, owner.token);
    type Ev = { videoProgress: { status: string; phase: string; playable: boolean } };
    const sub = collect<Ev>(client, 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase playable } }', { id }, (e) => e.videoProgress.phase === 'TRANSCODE' && e.videoProgress.playable, 120_000);
    await sub.ready;
    await enqueue(stack, id);
    await sub.done; // a first playable generation is published; the ladder encodes now
    await client.dispose();
    await until('the ladder ffmpeg running', 30_000, async () => (await ffmpegsOf(id)).length > 0);
    const before = await listVideoObjects(stack.api.infra.storage, id);
    assert.ok(before.includes(sourceKey(id)) && before.some((k) => /\/public\/[^/]+q\//.test(k)), `source and first playable stored: ${before.length} objects`);

    const deletedAt = Date.now();
    const r = await gql<{ deleteVideo: boolean }>(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id }, owner.token);
    assert.equal(r.data?.deleteVideo, true, JSON.stringify(r.errors));

    await until('ffmpeg stopped', 10_000, async () => (await ffmpegsOf(id)).length === 0);
    const stoppedMs = Date.now() - deletedAt;
    t.diagnostic(`ffmpeg stopped ${stoppedMs} ms after the delete`);
    assert.ok(stoppedMs < 5000, `ffmpeg stopped ${stoppedMs} ms after the delete`);

    // Whatever the worker was still writing goes too; and it stays gone.
    await until('every object removed', 30_000, async () => (await listVideoObjects(stack.api.infra.storage, id)).length === 0);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await listVideoObjects(stack.api.infra.storage, id), [], 'under videos/ and sources/');
    assert.deepEqual(await stack.api.infra.ds.query('SELECT id FROM videos WHERE id = ?', [id]), []);
    assert.deepEqual(await stack.api.infra.ds.query('SELECT video_id FROM renditions WHERE video_id = ?', [id]), []);
  });
});
