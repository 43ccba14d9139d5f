import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { VideoEntity } from '../../src/db/entities';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { AppError } from '../../src/errors';
import { ProbeError, type ProbeResult } from '../../src/media/probe';
import { legacySourceKey, sourceKey } from '../../src/storage/keys';
import { UploadFinalizer } from '../../src/videos/upload-finalizer';
import { UploadService } from '../../src/videos/upload.service';
import type { SourceFacts } from '../../src/videos/video-lifecycle';
import { MemoryStorage, probeOf, recorder } from '../helpers/fakes';

const ID = '7d2e4c1a-0f3b-4e5d-8a6b-9c0d1e2f3a4b';
const OWNER = 'owner-1';

function row(status: VideoStatus, extra: Partial<VideoEntity> = {}): VideoEntity {
  return { id: ID, ownerId: OWNER, status, visibility: Visibility.PRIVATE, sizeBytes: 100, failureReason: null, uploadExpiresAt: new Date(Date.now() + 60_000), ...extra } as VideoEntity;
}

function setup(probe: () => Promise<ProbeResult>, start: VideoEntity = row(VideoStatus.UPLOADING)) {
  let current: VideoEntity | null = start;
  const storage = new MemoryStorage();
  const lifecycle = recorder({
    queue: async (_id: string, facts: SourceFacts) => {
      if (current?.status !== VideoStatus.UPLOADING) return false;
      current = { ...current, ...facts, status: VideoStatus.QUEUED };
      return true;
    },
    // Guarded like the real writes: only an UPLOADING row ends this way.
    failUpload: async (_id: string, _reason: string) => {
      if (current?.status !== VideoStatus.UPLOADING) return false;
      current = { ...current, status: VideoStatus.FAILED };
      return true;
    },
    discardUpload: async (_id: string, _reason: string) => {
      if (current?.status !== VideoStatus.UPLOADING) return false;
      current = null;
      return true;
    },
    create: async () => current!,
  });
  const jobs = recorder({ add: async (_name: string, _payload: unknown) => undefined });
  const videos = {
    findById: async () => current,
    findExpiredUploads: async () => [],
    findRecentBySha256: async () => null,
    queuedIds: async () => [],
  };
  const resumable = { open: async () => undefined, remove: async () => undefined, offset: async () => 100, takeSha256: () => 'ab'.repeat(32) };
  const progress = { bytes: () => undefined, received: () => undefined, forget: () => undefined, handOver: () => undefined };
  const finalizer = new UploadFinalizer({ tools: { probe, checkDecodable: async () => undefined }, logger: pino({ level: 'silent' }), videos, lifecycle, storage, resumable, jobs, progress });
  const service = new UploadService({
    maxUploadBytes: 1000,
    expirySeconds: 60,
    publicUrl: 'http://api',
    videos,
    lifecycle,
    storage,
    resumable,
    rateLimit: { consume: async () => undefined, refund: async () => undefined },
    progress,
    finalizer,
  });
  return { storage, lifecycle, jobs, finalizer, service, current: () => current };
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (err instanceof AppError ? `${err.code}: ${err.message}` : String(err)));

describe('UploadFinalizer (fakes for ffprobe, storage, queue and lifecycle)', () => {
  it('queues a video the media policy accepts, with what ffprobe found, and enqueues one transcode', async () => {
    const s = setup(async () => probeOf({ rotation: 90, displayWidth: 360, displayHeight: 640 }));
    const video = await s.finalizer.complete(row(VideoStatus.UPLOADING), { sizeBytes: 100, sha256: 'ab'.repeat(32) });
    assert.equal(video.status, VideoStatus.QUEUED);
    const [, [, facts]] = s.lifecycle.calls.find(([m]) => m === 'queue') as [string, [string, SourceFacts]];
    assert.deepEqual([facts.width, facts.height, facts.sourceVideoCodec, facts.sizeBytes], [360, 640, 'h264', 100]);
    assert.deepEqual(s.jobs.calls, [['add', ['video.transcode', { videoId: ID }]]]);
  });

  it('refuses what the media policy refuses, with its reason, and queues nothing', async () => {
    const s = setup(async () => probeOf({ hasVideo: false, videoCodec: null, formatName: 'mov,mp4,m4a,3gp,3g2,mj2' }));
    assert.equal(await code(s.finalizer.complete(row(VideoStatus.UPLOADING), { sizeBytes: 100, sha256: 'x' })), 'UNSUPPORTED_MEDIA: Unsupported media: the file has audio but no video');
    assert.deepEqual([s.lifecycle.calls.filter(([m]) => m === 'queue'), s.jobs.calls], [[], []]);
  });

  it('keeps the QUEUED row and its source when the enqueue fails (issue 9, item 5)', async () => {
    const s = setup(async () => probeOf());
    await s.storage.put(sourceKey(ID), Readable.from([Buffer.alloc(100)]));
    s.jobs.add = async () => {
      throw new Error('Connection is closed.');
    };
    assert.equal((await s.service.finishResumable(ID)).status, VideoStatus.QUEUED);
    assert.equal(s.current()?.status, VideoStatus.QUEUED);
    assert.ok(s.storage.objects.has(sourceKey(ID)), 'the validated source stays');
  });

  it('keeps a validated source when a step after the QUEUED write throws (issue 9, item 5)', async () => {
    const s = setup(async () => probeOf());
    await s.storage.put(sourceKey(ID), Readable.from([Buffer.alloc(100)]));
    const queue = s.lifecycle.queue;
    s.lifecycle.queue = async (id: string, facts: SourceFacts) => {
      await queue(id, facts);
      throw new Error('cache invalidation failed');
    };
    await assert.rejects(s.service.finishResumable(ID), /cache invalidation failed/);
    assert.equal(s.current()?.status, VideoStatus.QUEUED);
    assert.ok(s.storage.objects.has(sourceKey(ID)), 'the validated source stays');
  });

  it('refuses a file ffprobe cannot read as not a playable video', async () => {
    const s = setup(async () => {
      throw new ProbeError('Invalid data found when processing input');
    });
    assert.equal(await code(s.finalizer.complete(row(VideoStatus.UPLOADING), { sizeBytes: 100, sha256: 'x' })), 'UNSUPPORTED_MEDIA: Not a playable video: Invalid data found when processing input');
  });

  it('blames storage, not the file, when ffprobe fails because storage went away; a tus upload keeps its bytes for a retried final PATCH', async () => {
    const s = setup(async () => {
      throw new ProbeError('Connection refused');
    });
    await s.storage.put(sourceKey(ID), Readable.from([Buffer.alloc(100)]));
    s.storage.ping = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:7480');
    };
    assert.match(await code(s.service.finishResumable(ID)), /^SERVICE_UNAVAILABLE: /);
    assert.equal(s.current()?.status, VideoStatus.UPLOADING);
    assert.ok(s.storage.objects.has(sourceKey(ID)), 'the stored bytes stay for the retry');
  });
});

describe('UploadService.decideResumable: what tus may do with an upload', () => {
  it('passes requests on an unfinished upload to the tus server', async () => {
    const s = setup(async () => probeOf());
    s.storage.objects.clear();
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'PATCH', 0), { action: 'pass', uploadId: sourceKey(ID) });
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'HEAD', null), { action: 'pass', uploadId: sourceKey(ID) });
  });

  it('validates a final PATCH whose bytes are all stored but were never checked, and answers it itself', async () => {
    const s = setup(async () => probeOf());
    await s.storage.put(sourceKey(ID), Readable.from([Buffer.alloc(100)]));
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'PATCH', 100), { action: 'finished', offset: 100 });
    assert.equal(s.current()?.status, VideoStatus.QUEUED);
    assert.equal(s.jobs.calls.length, 1);
  });

  it('on a finished upload: refuses DELETE and a PATCH at another offset, answers a retried final PATCH without a second job', async () => {
    const s = setup(async () => probeOf(), row(VideoStatus.QUEUED));
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'DELETE', null), { action: 'refuse', reason: 'finished' });
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'PATCH', 99), { action: 'refuse', reason: 'offset-mismatch' });
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'PATCH', 100), { action: 'finished', offset: 100 });
    assert.deepEqual(s.lifecycle.calls.filter(([m]) => m === 'queue'), [], 'no second move to QUEUED');
    assert.deepEqual(s.jobs.calls, [['add', ['video.transcode', { videoId: ID }]]], 'the job (fixed id) is only ensured');
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'HEAD', null), { action: 'pass', uploadId: sourceKey(ID) });
  });

  it('hands tus the upload id its row recorded: an upload opened before sources/ goes on at videos/<id>/source', async () => {
    const s = setup(async () => probeOf(), row(VideoStatus.UPLOADING, { sourceKey: legacySourceKey(ID) }));
    assert.deepEqual(await s.service.decideResumable(OWNER, ID, 'PATCH', 0), { action: 'pass', uploadId: legacySourceKey(ID) });
    await s.storage.put(legacySourceKey(ID), Readable.from([Buffer.alloc(100)]));
    assert.equal((await s.service.finishResumable(ID)).status, VideoStatus.QUEUED, 'validated from the key the row recorded');
    assert.equal(s.storage.objects.has(sourceKey(ID)), false);
  });

  it("answers NOT_FOUND for someone else's upload, and gone for a failed or expired one", async () => {
    assert.equal(await code(setup(async () => probeOf()).service.decideResumable('stranger', ID, 'HEAD', null)), 'NOT_FOUND: Upload not found');
    const failed = setup(async () => probeOf(), row(VideoStatus.FAILED, { failureReason: 'Not a playable video' }));
    await assert.rejects(failed.service.decideResumable(OWNER, ID, 'HEAD', null), (e: unknown) => e instanceof AppError && e.details?.gone === true && e.message === 'Not a playable video');
    const expired = setup(async () => probeOf(), row(VideoStatus.UPLOADING, { uploadExpiresAt: new Date(Date.now() - 1000) }));
    await assert.rejects(expired.service.decideResumable(OWNER, ID, 'PATCH', 0), (e: unknown) => e instanceof AppError && e.details?.gone === true);
  });
});
