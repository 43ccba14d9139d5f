import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client } from 'minio';
import { VideoStatus } from '../../src/domain/video-status';
import { JobQueue } from '../../src/jobs/job-queue';
import { captionKey, legacySourceKey, publicKey, sourceKey } from '../../src/storage/keys';
import { assertAuditClean, runAudit } from '../helpers/audit';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { mediaDir, queueVideo, readText, seedVideo, waitForStatus, type MediaDir } from '../helpers/media';

describe('consistency audit', () => {
  let stack: TestStack;
  let media: MediaDir;
  let owner: string;
  let ready: string;
  before(async () => {
    stack = await startStack({ worker: true, env: { TRANSCODE_PRESET: 'ultrafast', UPLOAD_CLEANUP_INTERVAL_SECONDS: '3600' } });
    media = await mediaDir();
    ({ userId: owner } = await signUp(stack.url));
    ready = await queueVideo(stack, owner, await media.clip('audit.mp4', { seconds: 2 }));
    await waitForStatus(stack, ready, [VideoStatus.READY]);
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('finds nothing wrong on a consistent platform', async () => {
    const report = await assertAuditClean(stack.config, stack.api.infra);
    assert.ok(report.checked.videos >= 1 && report.checked.renditions >= 1 && report.checked.objects > 5, JSON.stringify(report.checked));
  });

  it('reports each kind of inconsistency in both directions, and --fix removes only the orphans', async () => {
    const { storage, ds, redis } = stack.api.infra;
    // Objects without a row.
    const ghost = randomUUID();
    await storage.put(sourceKey(ghost), Readable.from([Buffer.from('orphan')]));
    // A READY video missing a segment.
    const playlist = (await ds.query('SELECT playlist_key FROM renditions WHERE video_id = ? LIMIT 1', [ready]))[0].playlist_key as string;
    const segment = (await readText(stack, playlist)).split('\n').find((l) => l && !l.startsWith('#'))!;
    await storage.delete(playlist.replace(/[^/]+$/, segment));
    // A QUEUED video whose job is gone, for longer than the sweeps' grace.
    const lost = await queueVideo(stack, owner, await media.clip('lost.mp4', { seconds: 1 }), { enqueue: false });
    await ds.query('UPDATE videos SET updated_at = ? WHERE id = ?', [new Date(Date.now() - 3 * 3600_000), lost]);
    // A job for a video that does not exist (delayed, so no worker takes it meanwhile).
    const jobs = new JobQueue(redis, stack.config.redisPrefix);
    await jobs.add('video.download', { videoId: ghost, height: 240, generation: 'g' }, { delay: 3600_000 });
    await jobs.close();
    // Parts of a multipart upload to a video that does not exist.
    const s3 = stack.config.storage;
    assert.equal(s3.driver, 's3');
    const client = new Client({ endPoint: s3.endPoint.hostname, port: Number(s3.endPoint.port), useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region, pathStyle: true });
    const other = randomUUID();
    await client.initiateNewMultipartUpload(s3.bucket, sourceKey(other), {});

    const report = await runAudit(stack.config, stack.api.infra);
    const kinds = (id: string) => report.problems.filter((p) => p.videoId === id).map((p) => p.kind).sort();
    assert.deepEqual(kinds(ghost), ['job-for-missing-video', 'object-without-video']);
    assert.deepEqual(kinds(ready), ['rendition-files-missing']);
    assert.deepEqual(kinds(lost), ['stuck-queued']);
    assert.deepEqual(kinds(other), ['unfinished-multipart-upload']);
    assert.equal(report.problems.length, 5, JSON.stringify(report.problems, null, 1));

    const fixed = await runAudit(stack.config, stack.api.infra, { fix: true });
    assert.equal(fixed.fixed, 3);
    const after = await runAudit(stack.config, stack.api.infra);
    assert.deepEqual(after.problems.map((p) => p.kind).sort(), ['rendition-files-missing', 'stuck-queued'], 'rows and live videos are never touched');
    assert.ok(await storage.stat(sourceKey(ready)), 'the READY video keeps its files');
    assert.ok(await storage.stat(publicKey(ready, playlist.split('/public/')[1])));
  });

  it('keeps a failed video\'s source and caption tracks, and --fix removes only a failed encode\'s leftovers', async () => {
    const { storage } = stack.api.infra;
    const put = (key: string) => storage.put(key, Readable.from([Buffer.from('x')]));
    // Failed with what it keeps (source for a later retry, captions that outlive encodes) and one
    // file of the encode that failed.
    const failed = await seedVideo(stack, { ownerId: owner, status: VideoStatus.FAILED });
    // (tus keeps its bookkeeping beside the source after the upload; a video from before sources/ has them under videos/.)
    const kept = [sourceKey(failed), `${sourceKey(failed)}.info`, legacySourceKey(failed), `${legacySourceKey(failed)}.info`, captionKey(failed, 'en-0a1b2c.vtt')];
    const leftover = publicKey(failed, 'gen0123/media_0.m3u8');
    for (const key of [...kept, leftover]) await put(key);
    // Failed with only what it keeps: nothing to report.
    const tidy = await seedVideo(stack, { ownerId: owner, status: VideoStatus.FAILED });
    for (const key of [sourceKey(tidy), captionKey(tidy, 'fr-3d4e5f.vtt')]) await put(key);

    const report = await runAudit(stack.config, stack.api.infra);
    const mine = (r: typeof report) => r.problems.filter((p) => p.videoId === failed || p.videoId === tidy);
    assert.deepEqual(mine(report).map((p) => [p.videoId, p.kind]), [[failed, 'failed-video-with-objects']]);
    assert.match(mine(report)[0].detail, /1 output object/);

    await runAudit(stack.config, stack.api.infra, { fix: true });
    assert.deepEqual(mine(await runAudit(stack.config, stack.api.infra)), []);
    assert.equal(await storage.stat(leftover), null, 'the failed encode\'s file is removed');
    for (const key of [...kept, sourceKey(tidy), captionKey(tidy, 'fr-3d4e5f.vtt')]) assert.ok(await storage.stat(key), `${key} is kept`);
  });
});
