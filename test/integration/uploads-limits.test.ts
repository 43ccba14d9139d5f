import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, signUp } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { assertNoOrphans, eventuallyNoOrphans } from '../helpers/storage-orphans';
import { createUpload, transcodeJobs, tusRequest, tusUpload, uploadFile } from '../helpers/uploads';
import { jobIdFor } from '../../src/jobs/job-types';
import { sourceKey, sourcePrefix } from '../../src/storage/keys';

describe('upload limits and the expiry cleanup (with a worker)', () => {
  let stack: TestStack;
  let media: MediaDir;
  before(async () => {
    stack = await startStack({ worker: true, env: { UPLOAD_RATE_LIMIT: '3', UPLOAD_CLEANUP_INTERVAL_SECONDS: '1' } });
    media = await mediaDir();
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('limits upload creations per user across both paths with RATE_LIMITED', async () => {
    const a = await signUp(stack.url);
    const b = await signUp(stack.url);
    const clip = await media.clip('rl.mp4', { seconds: 1 });
    assert.equal((await uploadFile(stack.url, a.token, clip, { title: 'one' })).errors, undefined);
    const tickets = [];
    for (const title of ['two', 'three']) {
      const t = await createUpload(stack.url, a.token, { title, sizeBytes: 100 });
      assert.equal(t.errors, undefined);
      tickets.push(t.data!.createUpload);
    }
    const fourth = await createUpload(stack.url, a.token, { title: 'four', sizeBytes: 100 });
    assert.equal(errorCode(fourth), 'RATE_LIMITED');
    assert.ok(Number(fourth.errors?.[0]?.extensions?.retryAfterSeconds) > 0);
    const fifth = await uploadFile(stack.url, a.token, clip, { title: 'five' });
    assert.equal(errorCode(fifth), 'RATE_LIMITED');
    // Another user has a budget of their own.
    const other = await createUpload(stack.url, b.token, { title: 'b', sizeBytes: 100 });
    assert.equal(other.errors, undefined);
    const rows = (await stack.api.infra.ds.query('SELECT title FROM videos WHERE owner_id = ? ORDER BY title', [a.userId])) as { title: string }[];
    assert.deepEqual(rows.map((r) => r.title), ['one', 'three', 'two']);
    // Cancel the open tickets (tus termination) so nothing is left UPLOADING.
    for (const [t, who] of [[tickets[0], a.token], [tickets[1], a.token], [other.data!.createUpload, b.token]] as const) {
      assert.equal((await tusRequest(t.uploadUrl, 'DELETE', { authorization: `Bearer ${who}` })).status, 204);
    }
    await eventuallyNoOrphans(stack);
  });

  it('removes the bytes of expired unfinished uploads and leaves them FAILED', async () => {
    const { token } = await signUp(stack.url);
    const clip = await media.clip('exp.mp4', { seconds: 1 });
    const t = (await createUpload(stack.url, token, { title: 'Abandoned', sizeBytes: 200_000 })).data!.createUpload;
    const part = await tusRequest(t.uploadUrl, 'PATCH', { authorization: `Bearer ${token}`, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(50_000, 3));
    assert.equal(part.status, 204);
    assert.ok((await stack.api.infra.storage.list(sourcePrefix(t.video.id))).length > 0, 'the partial upload holds storage');
    // A finished upload next to it must not be touched.
    const done = (await uploadFile(stack.url, token, clip, { title: 'Kept' })).data!.uploadVideo;

    await stack.api.infra.ds.query('UPDATE videos SET upload_expires_at = NOW(3) - INTERVAL 1 MINUTE WHERE id = ?', [t.video.id]);
    const deadline = Date.now() + 20_000;
    let status = 'UPLOADING';
    while (status === 'UPLOADING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      [{ status }] = (await stack.api.infra.ds.query('SELECT status FROM videos WHERE id = ?', [t.video.id])) as { status: string }[];
    }
    assert.equal(status, 'FAILED', 'the scheduled cleanup ran');
    await eventuallyNoOrphans(stack);
    assert.equal((await tusRequest(t.uploadUrl, 'HEAD', { authorization: `Bearer ${token}` })).status, 410);
    // (The worker may be transcoding it meanwhile; its source must still be there.)
    assert.ok((await stack.api.infra.storage.list(sourcePrefix(done.id))).includes(sourceKey(done.id)));
  });
});

describe('uploads with the local-disk storage driver', () => {
  let stack: TestStack;
  let media: MediaDir;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vp-local-'));
    stack = await startStack({ env: { STORAGE_DRIVER: 'local', DATA_DIR: dataDir } });
    media = await mediaDir();
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores both kinds of upload as sources/<id>/original on disk and queues them', async () => {
    const { token } = await signUp(stack.url);
    const clip = await media.clip('local.mp4', { seconds: 2 });
    const multipart = await uploadFile(stack.url, token, clip, { title: 'Local multipart' });
    assert.equal(multipart.data?.uploadVideo.status, 'QUEUED', JSON.stringify(multipart.errors));
    const t = (await createUpload(stack.url, token, { title: 'Local tus', sizeBytes: (await import('node:fs')).statSync(clip).size })).data!.createUpload;
    await tusUpload(t.uploadUrl, token, clip, { chunkSize: 20_000 });
    for (const id of [multipart.data!.uploadVideo.id, t.video.id]) {
      assert.deepEqual(await transcodeJobs(stack, id), [jobIdFor('video.transcode', id)]);
    }
    await assertNoOrphans(stack);
    const bad = await uploadFile(stack.url, token, await media.png('x.png'), { title: 'png' });
    assert.equal(errorCode(bad), 'UNSUPPORTED_MEDIA');
    await assertNoOrphans(stack);
  });
});
