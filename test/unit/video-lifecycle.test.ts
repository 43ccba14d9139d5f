import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VideoEntity } from '../../src/db/entities';
import type { NewVideoRow, RenditionRow, VideoColumns, WriteGuard } from '../../src/db/repositories/video-write.repository';
import { VideoEvent } from '../../src/domain/video-event';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import type { VideoProgress } from '../../src/events/progress';
import { VideoLifecycle, type EventVideo, type Publication, type SourceFacts } from '../../src/videos/video-lifecycle';

/** An in-memory videos table with the repository's guard semantics (a write applies only from `from`). */
class FakeRepo {
  rows = new Map<string, Partial<VideoEntity> & { status: VideoStatus }>();
  renditions = new Map<string, readonly RenditionRow[]>();
  writes = 0;

  async insert(row: NewVideoRow): Promise<VideoEntity> {
    this.writes += 1;
    this.rows.set(row.id, { ...row });
    return { ...row } as VideoEntity;
  }

  async update(id: string, columns: VideoColumns, guard: WriteGuard & { renditions?: readonly RenditionRow[] } = {}): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || (guard.from && !guard.from.includes(row.status))) return false;
    if (guard.match && Object.entries(guard.match).some(([k, v]) => row[k as keyof typeof row] !== v)) return false;
    const inside = guard.hlsKeyIn;
    if (inside !== undefined && !(row.hlsKey?.startsWith(inside) && !row.hlsKey.slice(inside.length).includes('/'))) return false;
    this.writes += 1;
    Object.assign(row, columns);
    if (guard.renditions) this.renditions.set(id, guard.renditions);
    return true;
  }

  async delete(id: string, guard: WriteGuard = {}): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || (guard.from && !guard.from.includes(row.status))) return false;
    this.writes += 1;
    return this.rows.delete(id);
  }

  status(id: string): VideoStatus | undefined {
    return this.rows.get(id)?.status;
  }
}

function setup() {
  const repo = new FakeRepo();
  const invalidated: string[] = [];
  const events: VideoProgress[] = [];
  // What the webhook service would be told: [event, video id, owner id when the row came with it].
  const emitted: [VideoEvent, string, string?][] = [];
  // Videos whose files the edge cache was told to drop.
  const purged: string[] = [];
  // Videos running work was told are gone.
  const deleted: string[] = [];
  // Every side effect in the order it happened.
  const log: string[] = [];
  const lifecycle = new VideoLifecycle({
    repo,
    cache: {
      invalidate: async (...ids: string[]) => {
        invalidated.push(...ids);
        log.push('invalidate');
      },
    },
    events: {
      publish: (e) => {
        events.push(e);
        log.push('progress');
      },
    },
    videoEvents: {
      emit: async (event, videoId) => {
        emitted.push([event, videoId]);
        log.push('webhook');
      },
      emitFor: async (event, video) => {
        emitted.push([event, video.id, video.ownerId]);
        log.push('webhook');
      },
    },
    edge: {
      purgeVideo: async (id) => {
        purged.push(id);
        log.push('purge');
      },
    },
    deletions: {
      announceDeleted: (id) => {
        deleted.push(id);
        log.push('deleted');
      },
    },
  });
  return { repo, invalidated, events, emitted, purged, deleted, log, lifecycle };
}

/** The row as a caller holds it (VideoEditService reads it for the owner check before a delete). */
const rowOf = (s: ReturnType<typeof setup>) => ({ ...s.repo.rows.get(ID) }) as EventVideo;

const ID = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';
const facts: SourceFacts = { sizeBytes: 1000, sourceSha256: 'ab'.repeat(32), durationSeconds: 4, width: 640, height: 360, sourceVideoCodec: 'h264', sourceAudioCodec: 'aac' };
const rendition: RenditionRow = { height: 240, width: 426, bitrate: 400_000, codecs: 'avc1.64001e', frameRate: 25, playlistKey: 'k/media_0.m3u8', initKey: 'k/init-0.mp4' };
const pub: Publication = { hlsKey: 'k/master.m3u8', dashKey: 'k/manifest.mpd', renditions: [rendition] };

async function created(s: ReturnType<typeof setup>) {
  await s.lifecycle.create({ id: ID, ownerId: 'u', title: 't', description: null, visibility: Visibility.PUBLIC, sourceKey: `videos/${ID}/source`, sourceFilename: null, sizeBytes: null, uploadExpiresAt: new Date() });
  s.invalidated.length = 0;
}

/** Drives a fresh video to `status` through the lifecycle itself. */
async function at(status: VideoStatus) {
  const s = setup();
  await created(s);
  if (status !== VideoStatus.UPLOADING) await s.lifecycle.queue(ID, facts);
  if (status === VideoStatus.PROCESSING || status === VideoStatus.READY) await s.lifecycle.claim(ID);
  if (status === VideoStatus.READY) await s.lifecycle.markReady(ID, pub);
  if (status === VideoStatus.FAILED) await s.lifecycle.fail(ID, 'broken');
  assert.equal(s.repo.status(ID), status);
  s.invalidated.length = 0;
  s.events.length = 0;
  s.emitted.length = 0;
  s.purged.length = 0;
  s.log.length = 0;
  s.repo.writes = 0;
  return s;
}

describe('video lifecycle', () => {
  it('creates the row UPLOADING and drops any cached copy', async () => {
    const s = setup();
    const video = await s.lifecycle.create({ id: ID, ownerId: 'u', title: 't', description: null, visibility: Visibility.PRIVATE, sourceKey: null, sourceFilename: null, sizeBytes: 5, uploadExpiresAt: null });
    assert.equal(video.status, VideoStatus.UPLOADING);
    assert.deepEqual(s.invalidated, [ID]);
  });

  it('walks UPLOADING → QUEUED → PROCESSING → READY, invalidating after each write and announcing each move', async () => {
    const s = setup();
    await created(s);
    assert.equal(await s.lifecycle.queue(ID, facts), true);
    assert.equal(s.repo.rows.get(ID)?.sourceSha256, facts.sourceSha256);
    assert.equal(s.repo.rows.get(ID)?.uploadExpiresAt, null);
    assert.equal(await s.lifecycle.claim(ID), true);
    assert.equal(await s.lifecycle.recordProbe(ID, { durationSeconds: 4, width: 640, height: 360, sourceVideoCodec: 'h264', sourceAudioCodec: null }), true);
    assert.equal(await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 }), true);
    assert.equal(s.repo.status(ID), VideoStatus.PROCESSING);
    assert.equal(await s.lifecycle.markReady(ID, { ...pub, poster: [{ key: 'k/p.jpg', width: 640, height: 360 }] }), true);
    const row = s.repo.rows.get(ID)!;
    assert.equal(row.status, VideoStatus.READY);
    assert.ok(row.readyAt instanceof Date);
    assert.deepEqual(s.repo.renditions.get(ID), [rendition]);
    assert.deepEqual(s.invalidated, [ID, ID, ID, ID, ID]);
    assert.deepEqual(
      s.events.map((e) => [e.status, e.phase, e.percent, e.playable ?? false]),
      [
        [VideoStatus.QUEUED, 'QUEUED', 20, false],
        [VideoStatus.PROCESSING, 'PROBE', 20, false],
        [VideoStatus.PROCESSING, 'TRANSCODE', 15, true],
        [VideoStatus.READY, 'DONE', 100, true],
      ],
    );
    assert.deepEqual([s.events[0].bytesReceived, s.events[0].bytesTotal, s.events[2].rendition], [1000, 1000, 240]);
  });

  it('fails a video with the reason, clears what pointed at its outputs, and announces it', async () => {
    const s = await at(VideoStatus.PROCESSING);
    await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 });
    s.events.length = 0;
    assert.equal(await s.lifecycle.fail(ID, 'x'.repeat(600)), true);
    const row = s.repo.rows.get(ID)!;
    assert.equal(row.status, VideoStatus.FAILED);
    assert.equal(row.failureReason?.length, 500);
    assert.deepEqual([row.hlsKey, row.dashKey, row.poster, row.storyboard], [null, null, null, null]);
    assert.deepEqual(s.repo.renditions.get(ID), []);
    assert.deepEqual(s.events.map((e) => [e.status, e.phase, e.message, e.playable]), [[VideoStatus.FAILED, 'DONE', row.failureReason, false]]);
  });

  it('refuses moves the status machine forbids: nothing written, invalidated or announced', async () => {
    const refusals: [VideoStatus, (s: ReturnType<typeof setup>) => Promise<boolean>][] = [
      [VideoStatus.QUEUED, (s) => s.lifecycle.markReady(ID, pub)], // QUEUED → READY skips processing
      [VideoStatus.QUEUED, (s) => s.lifecycle.queue(ID, facts)], // a second finish of the same upload
      [VideoStatus.QUEUED, (s) => s.lifecycle.failUpload(ID, 'late')], // no longer an upload
      [VideoStatus.QUEUED, (s) => s.lifecycle.discardUpload(ID, 'late')],
      [VideoStatus.QUEUED, (s) => s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 })],
      [VideoStatus.UPLOADING, (s) => s.lifecycle.claim(ID)], // bytes not all in yet
      [VideoStatus.FAILED, (s) => s.lifecycle.claim(ID)], // FAILED goes back to QUEUED first, never straight to work
      [VideoStatus.FAILED, (s) => s.lifecycle.markReady(ID, pub)], // a publish after a failure must not resurrect it
      [VideoStatus.READY, (s) => s.lifecycle.fail(ID, 'late')], // a stale failure hook cannot break a READY video
      [VideoStatus.READY, (s) => s.lifecycle.recordProbe(ID, { durationSeconds: 1, width: 2, height: 2, sourceVideoCodec: null, sourceAudioCodec: null })],
    ];
    for (const [status, move] of refusals) {
      const s = await at(status);
      assert.equal(await move(s), false, `${status}: ${move.toString()}`);
      assert.equal(s.repo.status(ID), status);
      assert.equal(s.repo.writes, 0);
      assert.deepEqual(s.invalidated, []);
      assert.deepEqual(s.events, []);
      assert.deepEqual(s.emitted, [], 'a refused move raises no webhook event');
      assert.deepEqual(s.purged, [], 'a refused move purges nothing from the edge');
    }
  });

  it('lets READY go back to PROCESSING for a re-encode, and a crashed PROCESSING job claim again', async () => {
    assert.equal(await (await at(VideoStatus.READY)).lifecycle.claim(ID), true);
    assert.equal(await (await at(VideoStatus.PROCESSING)).lifecycle.claim(ID), true);
  });

  it('ends an upload FAILED (row kept) or discarded (row gone), announcing the reason either way', async () => {
    const kept = await at(VideoStatus.UPLOADING);
    assert.equal(await kept.lifecycle.failUpload(ID, 'Not a playable video'), true);
    assert.deepEqual([kept.repo.status(ID), kept.repo.rows.get(ID)?.failureReason], [VideoStatus.FAILED, 'Not a playable video']);
    const gone = await at(VideoStatus.UPLOADING);
    assert.equal(await gone.lifecycle.discardUpload(ID, 'The upload was cancelled'), true);
    assert.equal(gone.repo.rows.has(ID), false);
    for (const s of [kept, gone]) {
      assert.deepEqual(s.invalidated, [ID]);
      assert.deepEqual(s.events.map((e) => [e.status, e.phase]), [[VideoStatus.FAILED, 'UPLOAD']]);
    }
  });

  it('deletes in any status and edits details without a move, invalidating both', async () => {
    for (const status of Object.values(VideoStatus)) {
      const s = await at(status);
      await s.lifecycle.edit(ID, { title: 'New', visibility: Visibility.UNLISTED });
      assert.deepEqual([s.repo.rows.get(ID)?.title, s.repo.status(ID)], ['New', status]);
      const row = rowOf(s);
      assert.equal(await s.lifecycle.delete(row), true);
      assert.equal(await s.lifecycle.delete(row), false, 'a second delete finds nothing');
      assert.deepEqual(s.invalidated, [ID, ID]);
      assert.deepEqual(s.events, []);
      assert.deepEqual(s.emitted, [[VideoEvent.VIDEO_DELETED, ID, 'u']], 'one video.deleted, carrying the owner, and none for the edit');
      assert.deepEqual(s.deleted, [ID], 'running work is told once, for the applied delete only');
    }
  });

  it('sets a new poster only on a READY video still publishing the same generation, then purges the video from the edge', async () => {
    const poster = [{ key: 'k/posters/s1/640x360.jpg', width: 640, height: 360, webpKey: 'k/posters/s1/640x360.webp' }];
    const s = await at(VideoStatus.READY);
    assert.equal(await s.lifecycle.setPoster(ID, poster, { published: pub.hlsKey }), true);
    assert.deepEqual([s.repo.rows.get(ID)?.poster, s.repo.status(ID)], [poster, VideoStatus.READY]);
    assert.deepEqual(s.invalidated, [ID]);
    assert.deepEqual(s.purged, [ID], 'the replaced poster files are removed next');
    assert.deepEqual(s.events, [], 'no move, nothing to announce');

    const reencoded = await at(VideoStatus.READY);
    assert.equal(await reencoded.lifecycle.setPoster(ID, poster, { published: 'old/master.m3u8' }), false, 'another generation is published now');
    const processing = await at(VideoStatus.PROCESSING);
    assert.equal(await processing.lifecycle.setPoster(ID, poster, { published: pub.hlsKey }), false);
    const unnamed = await at(VideoStatus.READY);
    assert.equal(await unnamed.lifecycle.setPoster(ID, poster, { published: 'master.m3u8' }), false, 'a manifest with no folder names no generation');
    for (const refused of [reencoded, processing, unnamed]) {
      assert.deepEqual([refused.repo.writes, refused.invalidated, refused.purged], [0, [], []]);
    }
  });

  it('sets a poster made before a caption change (same generation, new manifest names)', async () => {
    const poster = [{ key: 'k/posters/s2/640x360.jpg', width: 640, height: 360 }];
    const s = await at(VideoStatus.READY);
    assert.equal(await s.lifecycle.setManifests(ID, { hlsKey: 'k/master-r1.m3u8', dashKey: 'k/manifest-r1.mpd' }, { published: pub.hlsKey }), true);
    assert.equal(await s.lifecycle.setPoster(ID, poster, { published: pub.hlsKey }), true, 'read before the captions changed');
    assert.deepEqual(s.repo.rows.get(ID)?.poster, poster);
  });

  it('switches to manifests with captions only while the one they were made from is published (PROCESSING or READY), then invalidates and purges', async () => {
    const keys = { hlsKey: 'k/master-r1.m3u8', dashKey: 'k/manifest-r1.mpd' };
    for (const status of [VideoStatus.READY, VideoStatus.PROCESSING]) {
      const s = await at(status);
      if (status === VideoStatus.PROCESSING) {
        await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: null }); // the quick version
        for (const list of [s.invalidated, s.purged, s.events]) list.length = 0;
      }
      assert.equal(await s.lifecycle.setManifests(ID, keys, { published: pub.hlsKey }), true, status);
      assert.deepEqual([s.repo.rows.get(ID)?.hlsKey, s.repo.rows.get(ID)?.dashKey, s.repo.status(ID)], [keys.hlsKey, keys.dashKey, status]);
      assert.deepEqual([s.invalidated, s.purged, s.events], [[ID], [ID], []]);
    }
    const lost = await at(VideoStatus.READY);
    assert.equal(await lost.lifecycle.setManifests(ID, keys, { published: 'k/master-r0.m3u8' }), false, 'another change came first');
    const failed = await at(VideoStatus.FAILED);
    assert.equal(await failed.lifecycle.setManifests(ID, keys, { published: pub.hlsKey }), false);
    for (const refused of [lost, failed]) assert.deepEqual([refused.repo.writes, refused.invalidated, refused.purged], [0, [], []]);
  });

  it('records the download switch as an edit, and purges the edge (downloads sit in shared caches)', async () => {
    const s = await at(VideoStatus.READY);
    await s.lifecycle.edit(ID, { allowDownload: true });
    assert.equal(s.repo.rows.get(ID)?.allowDownload, true);
    assert.deepEqual(s.invalidated, [ID]);
    assert.deepEqual(s.purged, [ID]);
  });

  it('raises each webhook event once, after the move it belongs to, and none for moves without one', async () => {
    const s = setup();
    await created(s);
    assert.deepEqual(s.emitted, [], 'create: nobody has been told the id yet');
    await s.lifecycle.queue(ID, facts);
    assert.deepEqual(s.emitted, [[VideoEvent.UPLOAD_COMPLETED, ID]]);
    assert.equal(s.repo.status(ID), VideoStatus.QUEUED, 'emitted after the write');
    await s.lifecycle.claim(ID);
    await s.lifecycle.recordProbe(ID, { durationSeconds: 4, width: 640, height: 360, sourceVideoCodec: 'h264', sourceAudioCodec: null });
    await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 });
    await s.lifecycle.edit(ID, { title: 'Renamed' });
    assert.equal(s.emitted.length, 1, 'claim, probe, first playable version and edits raise none');
    await s.lifecycle.markReady(ID, pub);
    assert.deepEqual(s.emitted.slice(1), [[VideoEvent.VIDEO_READY, ID]]);
    assert.equal(await s.lifecycle.markReady(ID, pub), false);
    assert.equal(s.emitted.length, 2, 'a second READY is refused and raises nothing');

    const failed = await at(VideoStatus.PROCESSING);
    assert.equal(await failed.lifecycle.fail(ID, 'broken'), true);
    assert.equal(await failed.lifecycle.fail(ID, 'broken again'), false, "the worker's failure hook after the handler already failed it");
    assert.deepEqual(failed.emitted, [[VideoEvent.VIDEO_FAILED, ID]]);

    const kept = await at(VideoStatus.UPLOADING);
    await kept.lifecycle.failUpload(ID, 'Not a playable video');
    assert.equal(await kept.lifecycle.failUpload(ID, 'again'), false);
    assert.deepEqual(kept.emitted, [[VideoEvent.VIDEO_FAILED, ID]]);

    const gone = await at(VideoStatus.UPLOADING);
    await gone.lifecycle.discardUpload(ID, 'The upload was cancelled');
    assert.deepEqual(gone.emitted, [], 'a discarded upload leaves no row and no event');
  });
  it('purges the edge cache after the moves that change what /videos/<id>/… answers, and after no other', async () => {
    const probed = { durationSeconds: 4, width: 640, height: 360, sourceVideoCodec: 'h264', sourceAudioCodec: null };
    const s = setup();
    await created(s);
    await s.lifecycle.queue(ID, facts);
    await s.lifecycle.claim(ID);
    await s.lifecycle.recordProbe(ID, probed);
    await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 });
    await s.lifecycle.edit(ID, { title: 'Renamed', description: 'Text only' });
    assert.deepEqual(s.purged, [], 'upload, claim, probe, a first version under new names and text edits');

    s.log.length = 0;
    await s.lifecycle.markReady(ID, pub);
    assert.deepEqual(s.purged, [ID], 'READY replaces the first version (removed after it)');
    assert.deepEqual(s.log, ['invalidate', 'purge', 'progress', 'webhook'], 'purged after the invalidation, before READY is announced');

    await s.lifecycle.claim(ID); // a re-encode: the current version keeps playing meanwhile
    await s.lifecycle.publishPlayable(ID, pub, { percent: 15, rendition: 240 });
    assert.equal(s.purged.length, 1);
    await s.lifecycle.markReady(ID, pub);
    assert.equal(s.purged.length, 2, 'a re-encode published');
    await s.lifecycle.edit(ID, { visibility: Visibility.PRIVATE });
    assert.equal(s.purged.length, 3, 'public copies must not outlive a switch to PRIVATE');
    await s.lifecycle.delete(rowOf(s));
    assert.deepEqual(s.purged, [ID, ID, ID, ID], 'delete');

    const failed = await at(VideoStatus.PROCESSING);
    await failed.lifecycle.fail(ID, 'broken');
    assert.deepEqual(failed.purged, [ID], 'FAILED removes the outputs');

    const upload = await at(VideoStatus.UPLOADING);
    await upload.lifecycle.failUpload(ID, 'Not a playable video');
    const discarded = await at(VideoStatus.UPLOADING);
    await discarded.lifecycle.discardUpload(ID, 'The upload was cancelled');
    assert.deepEqual([...upload.purged, ...discarded.purged], [], 'an upload that never played has nothing at the edge');
  });
});
