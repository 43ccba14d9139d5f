import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RenditionEntity, VideoEntity } from '../../src/db/entities';
import { VideoWriteRepository } from '../../src/db/repositories/video-write.repository';
import { VideoLifecycle } from '../../src/videos/video-lifecycle';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { generationOf, publicPrefix } from '../../src/storage/keys';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp, type GqlResult } from '../helpers/graphql';
import { ffmpeg, ffprobeJson, greyPixels, makeClip, makeLadder, mediaDir, pictureDistance, queueVideo, seedVideo, waitForJob, type MediaDir } from '../helpers/media';
import { multipartMutation } from '../helpers/uploads';

const SET_POSTER = 'mutation($id:ID!,$file:Upload!){ setPoster(videoId:$id,file:$file){ poster{ url width height webpUrl } } }';
const POSTER = 'query($id:ID!){ video(id:$id){ poster{ url width height webpUrl } } }';
const UPDATE = 'mutation($id:ID!,$input:VideoUpdateInput!){ updateVideo(id:$id,input:$input){ title poster{ url width height webpUrl } } }';
const RATE_LIMIT = 16;

interface PosterView { url: string; width: number; height: number; webpUrl: string | null }

describe('thumbnails at any time, and custom posters', () => {
  let stack: TestStack;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  let videoId: string;
  let generation: string;

  const thumb = (query: string, token = owner.token, ext = 'jpg', id = videoId) =>
    fetch(`${stack.url}/videos/${id}/thumbnail.${ext}?${query}`, { headers: { authorization: `Bearer ${token}` } });
  const saved = async (res: Response, name: string) => {
    const file = path.join(media.dir, name);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    return file;
  };
  const metric = async (outcome: string) => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    return Number(new RegExp(`^thumbnail_requests_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };
  const poster = async () => (await gql<{ video: { poster: PosterView } }>(stack.url, POSTER, { id: videoId }, owner.token)).data!.video.poster;
  const posterObjects = async () => (await stack.api.infra.storage.list(publicPrefix(videoId))).filter((k) => /poster/.test(k)).sort();
  const setPoster = (file: string | { filename: string; body: Buffer; contentType?: string }, token: string | null = owner.token, id = videoId) =>
    multipartMutation<{ setPoster: { poster: PosterView } }>(stack.url, token ?? undefined, SET_POSTER, { id }, file);

  before(async () => {
    stack = await startStack({
      worker: true,
      env: { SEGMENT_SECONDS: '2', THUMBNAIL_RATE_LIMIT: String(RATE_LIMIT), POSTER_MAX_DIMENSION: '1000', POSTER_MAX_BYTES: String(300 * 1024) },
    });
    media = await mediaDir();
    const clip = await makeClip(path.join(media.dir, 'in.mp4'), { size: '640x360', seconds: 6 });
    owner = await signUp(stack.url, 'Owner');
    videoId = await queueVideo(stack, owner.userId, clip);
    assert.equal(await waitForJob(stack, videoId), 'completed');
    const [rung] = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId });
    generation = generationOf(videoId, rung!.playlistKey)!;
  });
  after(async () => {
    await stack?.close();
    await media?.cleanup();
  });

  describe('GET /videos/:id/thumbnail.jpg?time=&width=', () => {
    it('gives a different frame at three times, each a JPEG of the width asked for', async () => {
      const pictures: Buffer[] = [];
      for (const time of [0.5, 2.5, 4.5]) {
        const res = await thumb(`time=${time}&width=320`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'cached like posters');
        const file = await saved(res, `t${time}.jpg`);
        const probe = await ffprobeJson<{ streams: { codec_name: string; width: number; height: number }[] }>(['-show_streams', file]);
        assert.deepEqual(probe.streams.map((s) => [s.codec_name, s.width, s.height]), [['mjpeg', 320, 180]]);
        pictures.push(await greyPixels(file));
      }
      for (const [a, b] of [[0, 1], [1, 2], [0, 2]] as const) {
        assert.ok(pictureDistance(pictures[a]!, pictures[b]!) > 2, `frames ${a} and ${b} differ`);
      }
    });

    it('is the source’s frame at that time, stored under the published generation', async () => {
      const source = path.join(media.dir, 'source-3.jpg');
      await ffmpeg(['-i', path.join(media.dir, 'in.mp4'), '-ss', '3', '-frames:v', '1', '-vf', 'scale=640:360', source]);
      const [at3, at5] = await Promise.all(['time=3&width=640', 'time=5&width=640'].map(async (q, i) => greyPixels(await saved(await thumb(q), `n${i}.jpg`))));
      const expected = await greyPixels(source);
      assert.ok(pictureDistance(at3!, expected) < pictureDistance(at5!, expected) / 4, 'the 3 s thumbnail shows the 3 s frame');
      const stored = await stack.api.infra.storage.list(`${publicPrefix(videoId)}${generation}/thumbnails/`);
      assert.ok(stored.includes(`${publicPrefix(videoId)}${generation}/thumbnails/640w-3000ms.jpg`), stored.join(','));
    });

    it('serves a second request from storage without running ffmpeg', async () => {
      const first = await thumb('time=1&width=160');
      assert.equal(first.status, 200);
      const bytes = Buffer.from(await first.arrayBuffer());
      const [generated, hits] = [await metric('generated'), await metric('hit')];
      const second = await thumb('time=1.1&width=160'); // the same 0.5 s step
      assert.equal(second.status, 200);
      assert.deepEqual(Buffer.from(await second.arrayBuffer()), bytes);
      assert.equal(await metric('generated'), generated, 'no ffmpeg run');
      assert.equal(await metric('hit'), hits + 1);
      const again = await fetch(`${stack.url}/videos/${videoId}/thumbnail.jpg?time=1&width=160`, { headers: { 'if-none-match': first.headers.get('etag')! } });
      assert.equal(again.status, 304);
    });

    it('runs ffmpeg once for concurrent first requests of one frame', async () => {
      const [generated, coalesced] = [await metric('generated'), await metric('coalesced')];
      const answers = await Promise.all(Array.from({ length: 4 }, () => thumb('time=5.5&width=640')));
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200]);
      assert.equal(await metric('generated'), generated + 1);
      assert.equal(await metric('coalesced'), coalesced + 3);
    });

    it('comes as WebP too', async () => {
      const res = await thumb('time=2&width=320', owner.token, 'webp');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/webp');
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.toString('latin1', 0, 4) + bytes.toString('latin1', 8, 12), 'RIFFWEBP');
    });

    it('clamps the time to the video and refuses widths outside the fixed set and malformed times', async () => {
      const end = await thumb('time=99999&width=160');
      assert.equal(end.status, 200, 'past the end: the last frame');
      const video = await stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id: videoId });
      const stored = await stack.api.infra.storage.list(`${publicPrefix(videoId)}${generation}/thumbnails/`);
      assert.ok(stored.some((k) => k.endsWith(`160w-${Math.round(video.durationSeconds! * 1000)}ms.jpg`)), stored.join(','));
      for (const q of ['time=1&width=300', 'time=1&width=2560', 'time=-1&width=320', 'time=abc&width=320', 'time=1&width=320&width=640']) {
        const res = await thumb(q);
        assert.equal(res.status, 400, q);
        assert.equal(((await res.json()) as { code: string }).code, 'BAD_USER_INPUT', q);
      }
    });

    it('follows the access rules of other media: private videos need a signed token', async () => {
      const priv = await seedVideo(stack, { ownerId: owner.userId, visibility: Visibility.PRIVATE });
      const anonymous = await fetch(`${stack.url}/videos/${priv}/thumbnail.jpg?time=1&width=160`);
      assert.equal(anonymous.status, 404);
      const forged = await fetch(`${stack.url}/videos/${priv}/thumbnail.jpg?time=1&width=160&token=1.${'A'.repeat(43)}`);
      assert.equal(forged.status, 403);
      await gql(stack.url, UPDATE, { id: videoId, input: { visibility: Visibility.PRIVATE } }, owner.token);
      try {
        const url = (await poster()).url;
        const token = new URL(url).searchParams.get('token');
        assert.ok(token);
        assert.equal((await fetch(`${stack.url}/videos/${videoId}/thumbnail.jpg?time=2&width=160`)).status, 404);
        const res = await fetch(`${stack.url}/videos/${videoId}/thumbnail.jpg?time=2&width=160&token=${token}`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d+$/);
      } finally {
        await gql(stack.url, UPDATE, { id: videoId, input: { visibility: Visibility.PUBLIC } }, owner.token);
      }
      const notReady = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.QUEUED });
      await stack.api.infra.ds.getRepository(RenditionEntity).delete({ videoId: notReady });
      assert.equal((await thumb('time=1&width=160', owner.token, 'jpg', notReady)).status, 404, 'nothing published, no frames');
    });

    it('rate-limits uncached thumbnails per client with 429 and Retry-After; cached ones are still served', async () => {
      // A video of its own (a tiny 3 s ladder: 7 steps of 0.5 s × 3 widths), so every request below is a miss.
      const ladder = await makeLadder();
      try {
        const fresh = await seedVideo(stack, { ownerId: owner.userId, ladder });
        const client = await signUp(stack.url, 'Scrubber');
        const misses = [160, 320, 640].flatMap((w) => Array.from({ length: 7 }, (_, i) => `time=${i * 0.5}&width=${w}`));
        const get = (q: string, token = client.token) => thumb(q, token, 'jpg', fresh);
        for (const q of misses.slice(0, RATE_LIMIT)) assert.equal((await get(q)).status, 200, q);
        const refused = await get(misses[RATE_LIMIT]!);
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
        assert.equal(((await refused.json()) as { code: string }).code, 'RATE_LIMITED');
        assert.equal((await get(misses[0]!)).status, 200, 'cached: free');
        assert.equal((await get(misses[RATE_LIMIT]!, owner.token)).status, 200, 'another client has its own budget');
      } finally {
        await ladder.cleanup();
      }
    });
  });

  describe('posters', () => {
    it('updateVideo(posterTimeSeconds) re-picks the poster in both sizes, JPEG and WebP, and removes the old files', async () => {
      const before = await poster();
      const oldFiles = await posterObjects();
      assert.ok(oldFiles.length >= 2);
      const r = await gql<{ updateVideo: { title: string; poster: PosterView } }>(stack.url, UPDATE, { id: videoId, input: { posterTimeSeconds: 4.5, title: 'Picked' } }, owner.token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const after = r.data!.updateVideo.poster;
      assert.equal(r.data!.updateVideo.title, 'Picked');
      assert.notEqual(after.url, before.url, 'a new immutable URL');
      assert.deepEqual([after.width, after.height], [640, 360]);
      const jpeg = await fetch(after.url);
      assert.equal(jpeg.headers.get('content-type'), 'image/jpeg');
      const picked = await greyPixels(await saved(jpeg, 'picked.jpg'));
      const at45 = await greyPixels(await saved(await thumb('time=4.5&width=640'), 'at45.jpg'));
      assert.ok(pictureDistance(picked, at45) < 3, 'the poster is the frame at 4.5 s');
      const webp = await fetch(after.webpUrl!);
      assert.equal(webp.headers.get('content-type'), 'image/webp');
      assert.equal((await fetch(before.url)).status, 404, 'the old poster is gone');
      const files = await posterObjects();
      assert.equal(files.filter((f) => oldFiles.includes(f)).length, 0);
      assert.equal(files.length, 4, `two sizes, two formats: ${files.join(',')}`);
      assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['320x180.jpg', '320x180.webp', '640x360.jpg', '640x360.webp']);
    });

    it('setPoster takes a JPEG, PNG or WebP recognised by decoding, whatever its name and type say', async () => {
      const png = path.join(media.dir, 'poster.png');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', png]);
      const before = await posterObjects();
      const r = await setPoster({ filename: 'holiday.jpg', body: await readFile(png), contentType: 'image/jpeg' });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const p = r.data!.setPoster.poster;
      assert.deepEqual([p.width, p.height], [800, 600], 'the image keeps its own shape, never upscaled');
      const res = await fetch(p.url);
      assert.equal(res.status, 200);
      const probe = await ffprobeJson<{ streams: { codec_name: string; width: number; height: number }[] }>(['-show_streams', await saved(res, 'set.jpg')]);
      assert.deepEqual(probe.streams.map((s) => [s.codec_name, s.width, s.height]), [['mjpeg', 800, 600]]);
      const after = await posterObjects();
      assert.equal(after.filter((k) => before.includes(k)).length, 0, 'the replaced set is removed');
      assert.deepEqual(after.map((f) => path.basename(f)).sort(), ['320x240.jpg', '320x240.webp', '800x600.jpg', '800x600.webp']);

      const webp = path.join(media.dir, 'poster.webp');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1', webp]);
      const w = await setPoster(webp);
      assert.equal(w.errors, undefined, JSON.stringify(w.errors));
      assert.deepEqual([w.data!.setPoster.poster.width, w.data!.setPoster.poster.height], [640, 480]);
    });

    it('is written only while the generation it was made from is still published (the guard in SQL)', async () => {
      const lifecycle = new VideoLifecycle({ repo: new VideoWriteRepository(stack.api.infra.ds), cache: { invalidate: async () => undefined }, events: { publish: () => undefined }, videoEvents: { emit: async () => undefined, emitFor: async () => undefined }, edge: { purgeVideo: async () => undefined }, deletions: { announceDeleted: () => undefined } });
      const row = await stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id: videoId });
      const other = [{ key: `${publicPrefix(videoId)}old/poster.jpg`, width: 2, height: 2 }];
      assert.equal(await lifecycle.setPoster(videoId, other, { published: `${publicPrefix(videoId)}old/master.m3u8` }), false);
      assert.deepEqual((await stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id: videoId })).poster, row.poster);
      assert.equal(await lifecycle.setPoster(videoId, row.poster!, { published: row.hlsKey! }), true, 'the published one');
      // Refused for a folder that is a LIKE pattern, and for a folder above the generation.
      for (const published of [`${publicPrefix(videoId)}%/master.m3u8`, `${publicPrefix(videoId)}_${generation.slice(1)}/master.m3u8`, `${publicPrefix(videoId)}master.m3u8`]) {
        assert.equal(await lifecycle.setPoster(videoId, other, { published }), false, published);
      }
      // A caption change gives the generation's manifests new names: a poster made before it is still written.
      const revised = `${publicPrefix(videoId)}${generation}/master-r9.m3u8`;
      await stack.api.infra.ds.getRepository(VideoEntity).update({ id: videoId }, { hlsKey: revised });
      try {
        assert.equal(await lifecycle.setPoster(videoId, row.poster!, { published: row.hlsKey! }), true, 'same generation, read before the caption change');
      } finally {
        await stack.api.infra.ds.getRepository(VideoEntity).update({ id: videoId }, { hlsKey: row.hlsKey });
      }
      assert.deepEqual((await stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id: videoId })).poster, row.poster);
    });

    it('refuses what is not a usable image, or not the caller’s to change, and keeps the poster and its files', async () => {
      const kept = await poster();
      const files = await posterObjects();
      const big = path.join(media.dir, 'big.png');
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1200x200', '-frames:v', '1', big]);
      const heavy = path.join(media.dir, 'heavy.png');
      await writeFile(heavy, await noisePng(media, 640, 480));
      const tiny = await makeClip(path.join(media.dir, 'tiny.mp4'), { size: '160x120', seconds: 1 });
      const png = await readFile(path.join(media.dir, 'poster.png'));
      const stranger = await signUp(stack.url, 'Stranger');
      const processing = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.PROCESSING });
      const cases: [string, Promise<GqlResult<unknown>>, string][] = [
        ['a text file named .png', setPoster({ filename: 'poster.png', body: Buffer.from('not an image at all\n'), contentType: 'image/png' }), 'UNSUPPORTED_MEDIA'],
        ['a video', setPoster(tiny), 'UNSUPPORTED_MEDIA'],
        ['a truncated PNG', setPoster({ filename: 'cut.png', body: png.subarray(0, Math.floor(png.length / 2)) }), 'UNSUPPORTED_MEDIA'],
        ['an image over the size limit in pixels', setPoster(big), 'PAYLOAD_TOO_LARGE'],
        ['an image over the size limit in bytes', setPoster(heavy), 'PAYLOAD_TOO_LARGE'],
        ['an empty file', setPoster({ filename: 'e.png', body: Buffer.alloc(0) }), 'BAD_USER_INPUT'],
        ['not the owner', setPoster(big, stranger.token), 'FORBIDDEN'],
        ['signed out', setPoster(big, null), 'UNAUTHENTICATED'],
        ['a video not READY', setPoster({ filename: 'p.png', body: png }, owner.token, processing), 'BAD_USER_INPUT'],
        ['a poster time before the start', gql(stack.url, UPDATE, { id: videoId, input: { posterTimeSeconds: -1 } }, owner.token), 'BAD_USER_INPUT'],
        ['a poster time on a video not READY', gql(stack.url, UPDATE, { id: processing, input: { posterTimeSeconds: 1 } }, owner.token), 'BAD_USER_INPUT'],
      ];
      for (const [what, call, code] of cases) assert.equal(errorCode(await call), code, what);
      assert.deepEqual(await poster(), kept);
      assert.deepEqual(await posterObjects(), files, 'nothing stored, nothing removed');
      assert.equal((await gql<{ video: { title: string } }>(stack.url, 'query($id:ID!){ video(id:$id){ title } }', { id: videoId }, owner.token)).data?.video.title, 'Picked');
    });
  });
});

/** A PNG of random pixels: incompressible, so larger than the byte limit at a size within the pixel limit. */
async function noisePng(media: MediaDir, width: number, height: number): Promise<Buffer> {
  const raw = path.join(media.dir, 'noise.rgb');
  await writeFile(raw, randomBytes(width * height * 3));
  const out = path.join(media.dir, 'noise.png');
  await ffmpeg(['-f', 'rawvideo', '-pixel_format', 'rgb24', '-video_size', `${width}x${height}`, '-i', raw, '-frames:v', '1', out]);
  return readFile(out);
}
