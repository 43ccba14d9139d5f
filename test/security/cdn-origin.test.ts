import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { runSourceRelocation } from '../../src/app/audit';
import { createLogger } from '../../src/config/logger';
import { legacySourceKey, publicPrefix, sourceKey, sourcePrefix, VIDEOS_ROOT, videoPrefix } from '../../src/storage/keys';
import { listVideoObjects } from '../../src/storage/video-objects';
import { assertAuditClean, runAudit } from '../helpers/audit';
import { startStack, type TestStack } from '../helpers/env';
import { gql, signUp } from '../helpers/graphql';
import { mediaDir, queueVideo, reencode, waitForJob, waitForStatus, type MediaDir } from '../helpers/media';
import { createUpload, tusUpload, uploadFile } from '../helpers/uploads';

const CDN = 'https://cdn.example.com/media';

describe('security: originals are never public behind a CDN (issue 9, item 8)', () => {
  let stack: TestStack;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  before(async () => {
    [stack, media] = await Promise.all([startStack({ worker: true, env: { PUBLIC_MEDIA_BASE_URL: CDN, TRANSCODE_PRESET: 'ultrafast' } }), mediaDir()]);
    owner = await signUp(stack.url);
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  const deleteVideo = async (id: string) => {
    const r = await gql<{ deleteVideo: boolean }>(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id }, owner.token);
    assert.equal(r.data?.deleteVideo, true, JSON.stringify(r.errors));
  };
  const sourceKeyOfRow = async (id: string) => ((await stack.api.infra.ds.query('SELECT source_key FROM videos WHERE id = ?', [id])) as { source_key: string }[])[0]!.source_key;

  it('stores a new upload\'s original outside videos/, so the origin may expose videos/ whole; delete removes it', async () => {
    const { storage } = stack.api.infra;
    const clip = await media.clip('c.mp4', { seconds: 1 });
    const multipart = await uploadFile(stack.url, owner.token, clip, { title: 'Multipart', visibility: 'PUBLIC' });
    assert.ok(multipart.data, JSON.stringify(multipart.errors));
    const ticket = (await createUpload(stack.url, owner.token, { title: 'Resumable', visibility: 'PUBLIC', sizeBytes: statSync(clip).size })).data!.createUpload;
    await tusUpload(ticket.uploadUrl, owner.token, clip, { chunkSize: 50_000 });
    const ids = [multipart.data.uploadVideo.id, ticket.video.id];
    for (const id of ids) {
      assert.equal((await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED])).status, VideoStatus.READY);
      const key = await sourceKeyOfRow(id);
      assert.equal(key, sourceKey(id));
      assert.ok(!key.startsWith(VIDEOS_ROOT), `the original ${key} is outside videos/`);
      assert.ok(await storage.stat(key), 'and stored there');
      // Under videos/<id>/ there is nothing but what may be delivered.
      const exposed = await storage.list(videoPrefix(id));
      assert.ok(exposed.length > 0);
      assert.deepEqual(exposed.filter((k) => !k.startsWith(publicPrefix(id))), [], 'only public/ under videos/<id>/');
    }
    assert.equal((await fetch(`${stack.url}/videos/${ids[0]}/source`, { redirect: 'manual' })).status, 404);
    assert.equal((await fetch(`${stack.url}/videos/${ids[0]}/original`, { redirect: 'manual' })).status, 404);

    for (const id of ids) {
      await deleteVideo(id);
      assert.deepEqual(await listVideoObjects(storage, id), [], 'nothing left under videos/ or sources/');
    }
  });

  it("redirects only public videos to the CDN, and keeps private videos' keys unguessable", async () => {
    const clip = await media.clip('p.mp4', { seconds: 1 });
    const pub = await queueVideo(stack, owner.userId, clip, { visibility: Visibility.PUBLIC });
    const priv = await queueVideo(stack, owner.userId, clip, { visibility: Visibility.PRIVATE });
    for (const id of [pub, priv]) assert.equal((await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED])).status, VideoStatus.READY);

    const res = await fetch(`${stack.url}/videos/${pub}/master.m3u8`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.ok(res.headers.get('location')!.startsWith(`${CDN}/${publicPrefix(pub)}`), res.headers.get('location')!);
    // A private video is never sent to the CDN.
    assert.notEqual((await fetch(`${stack.url}/videos/${priv}/master.m3u8`, { redirect: 'manual' })).status, 302);

    // Whatever the CDN origin exposes, a private video's published keys cannot be guessed from its id.
    const keys = await stack.api.infra.storage.list(publicPrefix(priv));
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const folder = key.slice(publicPrefix(priv).length).split('/')[0]!;
      const name = key.split('/').at(-1)!;
      assert.ok(/[0-9a-f]{32}/.test(folder) || /[0-9a-f]{32}/.test(name), `guessable key ${key}`);
    }
    for (const id of [pub, priv]) await deleteVideo(id);
  });

  it('reports an orphaned original under sources/ and --fix removes it', async () => {
    const { storage } = stack.api.infra;
    const ghost = randomUUID();
    await storage.put(sourceKey(ghost), Readable.from([Buffer.from('orphan')]));
    const report = await runAudit(stack.config, stack.api.infra);
    const found = report.problems.filter((p) => p.videoId === ghost);
    assert.deepEqual(found.map((p) => [p.kind, p.fixable]), [['object-without-video', true]], JSON.stringify(report.problems));
    assert.match(found[0]!.detail, new RegExp(`under ${sourcePrefix(ghost)} and no video row`));
    const fixed = await runAudit(stack.config, stack.api.infra, { fix: true });
    assert.ok(fixed.problems.some((p) => p.videoId === ghost && p.fixed));
    assert.equal(await storage.stat(sourceKey(ghost)), null);
    await assertAuditClean(stack.config, stack.api.infra);
  });

  it('keeps a video stored before sources/ working: its row points at videos/<id>/source; transcode, re-encode and delete leave nothing behind', async () => {
    const { storage } = stack.api.infra;
    const clip = await media.clip('legacy.mp4', { seconds: 1 });
    const id = await queueVideo(stack, owner.userId, clip, { sourceKeyOf: legacySourceKey });
    assert.equal(await waitForJob(stack, id), 'completed');
    const first = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(first.status, VideoStatus.READY, first.failureReason ?? '');
    assert.equal(first.sourceKey, legacySourceKey(id));
    assert.deepEqual(await storage.list(sourcePrefix(id)), [], 'nothing was written under sources/');
    await assertAuditClean(stack.config, stack.api.infra, 'a legacy video is consistent');

    // An operator's re-encode reads the original from the row's key.
    const second = await reencode(stack, id);
    assert.notEqual(second.hlsKey, first.hlsKey, 'a new generation was published');
    assert.ok(await storage.stat(legacySourceKey(id)), 'the original stays where the row says');

    await deleteVideo(id);
    assert.deepEqual(await listVideoObjects(storage, id), [], 'the old-layout original goes with the video');
  });

  it('moves the originals of settled old-layout videos to sources/ (audit --relocate-sources); busy ones wait; a second run has nothing to do', async () => {
    const { storage } = stack.api.infra;
    const clip = await media.clip('relocate.mp4', { seconds: 1 });
    const settled = await queueVideo(stack, owner.userId, clip, { sourceKeyOf: legacySourceKey });
    assert.equal((await waitForStatus(stack, settled, [VideoStatus.READY, VideoStatus.FAILED])).status, VideoStatus.READY);
    await storage.put(`${legacySourceKey(settled)}.info`, Readable.from([Buffer.from('{"size":1}')])); // a tus upload's bookkeeping
    const busy = await queueVideo(stack, owner.userId, clip, { sourceKeyOf: legacySourceKey, enqueue: false });
    const size = (await storage.stat(legacySourceKey(settled)))!.size;

    const logger = createLogger(stack.config, 'relocate');
    assert.deepEqual(await runSourceRelocation(stack.config, logger), { moved: 1, busy: 1, absent: 0, failed: 0 });
    assert.equal(await sourceKeyOfRow(settled), sourceKey(settled));
    assert.equal((await storage.stat(sourceKey(settled)))?.size, size, 'the same bytes under sources/');
    assert.deepEqual((await storage.list(videoPrefix(settled))).filter((k) => !k.startsWith(publicPrefix(settled))), [], 'only public/ is left under videos/<id>/');
    assert.equal(await sourceKeyOfRow(busy), legacySourceKey(busy), 'a video not settled keeps its original where it is');
    assert.ok(await storage.stat(legacySourceKey(busy)));
    assert.deepEqual(await runSourceRelocation(stack.config, logger), { moved: 0, busy: 1, absent: 0, failed: 0 }, 'nothing left to move');

    for (const id of [settled, busy]) {
      await deleteVideo(id);
      assert.deepEqual(await listVideoObjects(storage, id), []);
    }
  });
});
