import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { RenditionEntity, VideoEntity } from '../../src/db/entities';
import type { StoredImage } from '../../src/db/entities/video.entity';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { AppError } from '../../src/errors';
import type { StillOutput } from '../../src/media/derived-args';
import { PosterService } from '../../src/videos/poster.service';
import { MemoryStorage } from '../helpers/fakes';

const ID = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';
const GEN = `videos/${ID}/public/g1`;

function video(overrides: Partial<VideoEntity> = {}): VideoEntity {
  return {
    id: ID, ownerId: 'u', title: 't', status: VideoStatus.READY, visibility: Visibility.PUBLIC, allowDownload: false,
    durationSeconds: 6, hlsKey: `${GEN}/master.m3u8`, poster: [{ key: `${GEN}/poster-640x360.jpg`, width: 640, height: 360 }],
    ...overrides,
  } as VideoEntity;
}
const rungs = [{ height: 360, width: 640, playlistKey: `${GEN}/media_0.m3u8`, frameRate: 25 }] as RenditionEntity[];

/** The service with fakes: frames and images "decode" into a byte each; the lifecycle write answers `writes`. */
function setup(opts: { writes?: boolean; hasWebp?: boolean } = {}) {
  const storage = new MemoryStorage();
  const written: StoredImage[][] = [];
  const writeOut = async (outputs: StillOutput[]) => Promise.all(outputs.map((o) => writeFile(o.file, 'x')));
  const service = new PosterService({
    storage,
    lifecycle: {
      setPoster: async (_id, poster) => {
        if (opts.writes === false) return false;
        written.push(poster);
        return true;
      },
    },
    grabber: { grab: async (_rung, _time, outputs) => void (await writeOut(outputs)) },
    tools: {
      probeImage: async () => ({ codec: 'png', demuxer: 'png_pipe', width: 800, height: 600 }),
      hasEncoder: async () => opts.hasWebp ?? true,
      run: async (args) => {
        const files = args.filter((a) => /\.(jpg|webp)$/.test(a));
        await Promise.all(files.map((f) => writeFile(f, 'x')));
      },
    },
    limits: { maxBytes: 1000, maxDimension: 1000 },
    logger: pino({ level: 'silent' }),
  });
  return { storage, written, service };
}

describe('PosterService', () => {
  it('stores both sizes as JPEG and WebP in a new set inside the generation, writes them largest first, removes the replaced file', async () => {
    const s = setup();
    await s.storage.put(`${GEN}/poster-640x360.jpg`, Readable.from([Buffer.from('old')]));
    await s.service.fromTime(video(), rungs, 3);
    const [poster] = s.written;
    assert.deepEqual(poster?.map((p) => [p.width, p.height]), [[640, 360], [320, 180]]);
    assert.match(poster?.[0]?.key ?? '', new RegExp(`^${GEN}/posters/[a-z0-9]+-[0-9a-f]{6}/640x360\\.jpg$`));
    assert.match(poster?.[0]?.webpKey ?? '', /640x360\.webp$/);
    const keys = [...s.storage.objects.keys()];
    assert.equal(keys.length, 4);
    assert.ok(!keys.includes(`${GEN}/poster-640x360.jpg`), 'the replaced poster is deleted');
  });

  it('stores JPEG only when this ffmpeg cannot write WebP', async () => {
    const s = setup({ hasWebp: false });
    await s.service.fromTime(video(), rungs, 3);
    assert.equal(s.written[0]?.every((p) => p.webpKey === undefined), true);
    assert.equal(s.storage.objects.size, 2);
  });

  it('removes its new files and says so when the video was re-encoded or deleted meanwhile, keeping the old poster', async () => {
    const s = setup({ writes: false });
    await s.storage.put(`${GEN}/poster-640x360.jpg`, Readable.from([Buffer.from('old')]));
    await assert.rejects(s.service.fromTime(video(), rungs, 3), (err: unknown) => err instanceof AppError && err.code === 'BAD_USER_INPUT' && /changed/.test(err.message));
    assert.deepEqual([...s.storage.objects.keys()], [`${GEN}/poster-640x360.jpg`]);
  });

  it('sweeps poster sets left unreferenced by an interrupted change, once they are old enough to be nobody’s', async () => {
    const s = setup();
    const old = `${GEN}/posters/${(Date.now() - 3_600_000).toString(36)}-aaaaaa/640x360.jpg`;
    const recent = `${GEN}/posters/${(Date.now() - 1000).toString(36)}-bbbbbb/640x360.jpg`;
    for (const k of [old, recent]) await s.storage.put(k, Readable.from([Buffer.from('x')]));
    await s.service.fromTime(video({ poster: null }), rungs, 3);
    assert.ok(!s.storage.objects.has(old), 'an hour-old orphan set goes');
    assert.ok(s.storage.objects.has(recent), 'a set another request may be about to write stays');
  });

  it('refuses a video that is not READY, a time before the start, and oversized or empty images, storing nothing', async () => {
    const s = setup();
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (err instanceof AppError ? err.code : String(err)));
    assert.equal(await code(s.service.fromTime(video({ status: VideoStatus.PROCESSING }), rungs, 1)), 'BAD_USER_INPUT');
    assert.equal(await code(s.service.fromTime(video(), [], 1)), 'BAD_USER_INPUT');
    assert.equal(await code(s.service.fromTime(video(), rungs, -0.5)), 'BAD_USER_INPUT');
    assert.equal(await code(s.service.fromTime(video(), rungs, Number.NaN)), 'BAD_USER_INPUT');
    assert.equal(await code(s.service.fromImage(video(), rungs, Readable.from([Buffer.alloc(2000)]))), 'PAYLOAD_TOO_LARGE');
    assert.equal(await code(s.service.fromImage(video(), rungs, Readable.from([]))), 'BAD_USER_INPUT');
    assert.equal(s.storage.objects.size, 0);
    assert.deepEqual(s.written, []);
  });
});
