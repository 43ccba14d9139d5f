import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { createLogger } from '../../src/config/logger';
import { VideoStatus } from '../../src/domain/video-status';
import { sourceKey } from '../../src/storage/keys';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, signUp } from '../helpers/graphql';
import { mediaDir, waitForStatus, type MediaDir } from '../helpers/media';
import { assertNoOrphans } from '../helpers/storage-orphans';
import { createUpload, transcodeJobs, tusUpload, uploadFile } from '../helpers/uploads';

/**
 * Issue 9, item 5: once an upload is validated and its row QUEUED, no later failure (here the job
 * queue refusing every add, for real: BullMQ's metadata key in Redis holds the wrong type, so its
 * add script fails) may delete the source. The video stays QUEUED with its source and is queued
 * as soon as the queue works again; only unvalidated uploads are discarded.
 */
describe('a validated source is never deleted by a later failure (issue 9, item 5)', () => {
  let stack: TestStack;
  let media: MediaDir;
  let token: string;
  let worker: RunningWorker | null = null;
  const metaKey = () => `${stack.config.redisPrefix}:bull:media:meta`;

  before(async () => {
    // The worker started below sweeps every second.
    stack = await startStack({ env: { UPLOAD_CLEANUP_INTERVAL_SECONDS: '1' } });
    media = await mediaDir();
    ({ token } = await signUp(stack.url));
  });
  after(async () => {
    await worker?.close();
    await stack.close();
    await media.cleanup();
  });

  const row = async (id: string) =>
    ((await stack.api.infra.ds.query('SELECT status, failure_reason FROM videos WHERE id = ?', [id])) as { status: string; failure_reason: string | null }[])[0];

  it('keeps the source and the QUEUED row when the queue add fails, and queues the job once the queue is back', async () => {
    const clip = await media.clip('ok.mp4');
    await stack.api.infra.redis.set(metaKey(), 'not a hash');

    // Multipart: the answer is the QUEUED video, not an error that discarded it.
    const multipart = await uploadFile(stack.url, token, clip, { title: 'Multipart while the queue is down' });
    assert.equal(multipart.errors, undefined, JSON.stringify(multipart.errors));
    const a = multipart.data!.uploadVideo.id;
    assert.equal(multipart.data!.uploadVideo.status, 'QUEUED');

    // tus: the last PATCH is answered, the upload is not failed.
    const ticket = (await createUpload(stack.url, token, { title: 'tus while the queue is down', filename: 'ok.mp4', sizeBytes: (await import('node:fs')).statSync(clip).size })).data!.createUpload;
    await tusUpload(ticket.uploadUrl, token, clip);
    const b = ticket.video.id;

    // Unvalidated bytes are still discarded at once.
    const junk = await media.text('junk.mp4', 'not a video\n'.repeat(200));
    assert.equal(errorCode(await uploadFile(stack.url, token, junk, { title: 'Junk' })), 'UNSUPPORTED_MEDIA');

    for (const id of [a, b]) {
      assert.equal((await row(id))?.status, 'QUEUED', id);
      assert.ok(await stack.api.infra.storage.stat(sourceKey(id)), `the source of ${id} is kept`);
      assert.deepEqual(await transcodeJobs(stack, id), [], 'no job yet: the queue refused it');
    }
    await assertNoOrphans(stack);

    // The queue works again: the worker's sweep queues both, and they are processed.
    await stack.api.infra.redis.del(metaKey());
    worker = await startWorker(stack.config, createLogger(stack.config, 'worker'));
    for (const id of [a, b]) {
      const done = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED], 120_000);
      assert.equal(done.status, VideoStatus.READY, `${id}: ${done.failureReason}`);
    }
    await assertNoOrphans(stack);
  });
});
