import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { makeClip, mediaDir } from '../helpers/media';
import { multipartMutation } from '../helpers/uploads';

interface Event { uploadKey: string; videoId: string | null; status: string; bytesReceived: number; bytesTotal: number | null; percent: number; message: string | null }
const SUB = 'subscription($k:String!){ uploadProgress(uploadKey:$k){ uploadKey videoId status bytesReceived bytesTotal percent message } }';
const UPLOAD = 'mutation($file: Upload!, $input: VideoInput!){ uploadVideo(file: $file, input: $input){ id status } }';

/** A body that trickles in, as over a slow uplink: 32 KiB every 60 ms. */
function slowBody(bytes: Buffer): Readable {
  return Readable.from((async function* () {
    for (let at = 0; at < bytes.length; at += 32 * 1024) {
      await new Promise((r) => setTimeout(r, 60));
      yield bytes.subarray(at, at + 32 * 1024);
    }
  })());
}

/** Apollo Client uploads with fetch, which has no upload progress: the server tells the uploader instead. */
describe('uploadProgress(uploadKey) for multipart uploads', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let bytes: Buffer;

  before(async () => {
    stack = await startStack();
    media = await mediaDir();
    bytes = await readFile(await makeClip(path.join(media.dir, 'clip.mp4'), { size: '640x360', seconds: 6 }));
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('sends bytes received of the declared total while the body streams, then the video id and QUEUED, then completes; only to the uploader', { timeout: 120_000 }, async () => {
    const owner = await signUp(stack.url);
    const other = await signUp(stack.url);
    const key = randomUUID();
    const mine = wsClient(stack.url, owner.token);
    const theirs = wsClient(stack.url, other.token);
    const sub = collect<{ uploadProgress: Event }>(mine, SUB, { k: key }, () => false, 60_000);
    const spy = collect<{ uploadProgress: Event }>(theirs, SUB, { k: key }, () => true, 60_000);
    spy.done.catch(() => undefined);
    await Promise.all([sub.ready, spy.ready]);
    const result = await multipartMutation<{ uploadVideo: { id: string; status: string } }>(stack.url, owner.token, UPLOAD,
      { input: { title: 'Keyed', visibility: 'PUBLIC', sizeBytes: bytes.length, uploadKey: key.toUpperCase() } },
      { filename: 'clip.mp4', body: slowBody(bytes) });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const events = (await sub.done).map((e) => e.uploadProgress);
    await mine.dispose();

    const uploading = events.filter((e) => e.status === 'UPLOADING');
    assert.ok(uploading.length >= 5, `${uploading.length} byte events while ${bytes.length} bytes trickled in`);
    const received = uploading.map((e) => e.bytesReceived);
    assert.deepEqual([...received].sort((a, b) => a - b), received, 'bytes only grow');
    assert.ok(uploading.every((e) => e.bytesTotal === bytes.length && e.uploadKey === key && e.videoId === result.data!.uploadVideo.id));
    assert.ok(new Set(uploading.map((e) => e.percent)).size >= 4, 'the percent moves');
    const last = events.at(-1)!;
    assert.deepEqual([last.status, last.videoId, last.bytesReceived, last.percent], ['QUEUED', result.data!.uploadVideo.id, bytes.length, 100]);

    // Another user with the same key hears nothing: their subscription is still waiting.
    const outcome = await Promise.race([spy.done.then(() => 'heard'), new Promise((r) => setTimeout(() => r('silent'), 500))]);
    assert.equal(outcome, 'silent');
    await theirs.dispose();
  });

  it('refuses a key that is not a UUID', async () => {
    const owner = await signUp(stack.url);
    const client = wsClient(stack.url, owner.token);
    await assert.rejects(collect(client, SUB, { k: 'not-a-key' }, () => true, 10_000).done, /BAD_USER_INPUT|UUID/);
    await client.dispose();
  });
});
