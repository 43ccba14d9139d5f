import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { cacheKeys, VideoCache } from '../../src/cache/video-cache';
import { VideoRepository } from '../../src/db/repositories/video.repository';
import { RenditionEntity, VideoEntity } from '../../src/db/entities';
import { MediaSigner } from '../../src/playback/media-signer';
import { JobQueue } from '../../src/jobs/job-queue';
import { jobIdFor } from '../../src/jobs/job-types';
import { purgeHandler } from '../../src/worker/purge.handler';
import type { Job } from 'bullmq';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { sourceKey, videoPrefix } from '../../src/storage/keys';
import { listVideoObjects } from '../../src/storage/video-objects';
import { Visibility } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { makeLadder, seedVideo } from '../helpers/media';

type Ladder = Awaited<ReturnType<typeof makeLadder>>;
const PLAYBACK = 'query($id:ID!,$h:Int,$s:Boolean){ video(id:$id){ poster{ url } playback(maxHeight:$h, saveData:$s){ hlsUrl dashUrl expiresAt } } }';

/** A request exactly as written: fetch would normalise `..` away before sending. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('delivery: GET /videos/:id/…', () => {
  let stack: TestStack;
  let ladder: Ladder;
  let owner: { token: string; userId: string };
  let pub: string;

  before(async () => {
    [stack, ladder] = await Promise.all([startStack(), makeLadder()]);
    owner = await signUp(stack.url, 'Owner');
    pub = await seedVideo(stack, { ownerId: owner.userId, ladder });
  });
  after(async () => {
    await stack.close();
    await ladder.cleanup();
  });

  it('streams manifests, init and media segments and the poster with the right headers', async () => {
    const expect: [string, string, RegExp][] = [
      ['master.m3u8', 'application/vnd.apple.mpegurl', /^public, max-age=\d+$/],
      ['manifest.mpd', 'application/dash+xml', /^public, max-age=\d+$/],
      ['media_0.m3u8', 'application/vnd.apple.mpegurl', /^public, max-age=\d+$/],
      ['r0/init.mp4', 'video/mp4', /^public, max-age=31536000, immutable$/],
      ['r0/seg-00001.m4s', 'video/iso.segment', /^public, max-age=31536000, immutable$/],
      ['poster.jpg', 'image/jpeg', /^public, max-age=31536000, immutable$/],
    ];
    for (const [file, type, cc] of expect) {
      const res = await fetch(`${stack.url}/videos/${pub}/${file}`);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers.get('content-type'), type, file);
      assert.match(res.headers.get('cache-control') ?? '', cc, file);
      const body = Buffer.from(await res.arrayBuffer());
      const { readFile } = await import('node:fs/promises');
      assert.deepEqual(body, await readFile(`${ladder.dir}/${file}`), `${file} bytes as stored`);
    }
  });

  it('accepts any spelling of a video id and serves the canonical (lower-case) video', async () => {
    const upper = pub.toUpperCase();
    const res = await fetch(`${stack.url}/videos/${upper}/master.m3u8`);
    assert.equal(res.status, 200);
    const r = await gql<{ video: { id: string } | null }>(stack.url, 'query($id:ID!){ video(id:$id){ id } }', { id: upper });
    assert.equal(r.data?.video?.id, pub);
    const keys = await stack.api.infra.redis.keys(`${stack.config.redisPrefix}:video:${upper}*`);
    assert.deepEqual(keys, [], 'cache keys use the canonical id only');
  });

  it('honours Range (206), answers 416 beyond the end, and ETag/If-None-Match with 304', async () => {
    const url = `${stack.url}/videos/${pub}/r0/seg-00002.m4s`;
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    const part = await fetch(url, { headers: { Range: 'bytes=10-109' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-109/${full.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), full.subarray(10, 110));
    const tail = await fetch(url, { headers: { Range: 'bytes=-50' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), full.subarray(full.length - 50));
    const beyond = await fetch(url, { headers: { Range: `bytes=${full.length + 10}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${full.length}`);

    const first = await fetch(url);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const changed = await fetch(url, { headers: { 'If-None-Match': '"something-else"' } });
    assert.equal(changed.status, 200);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(full.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const stale = await fetch(url, { headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } });
    assert.equal(stale.status, 200, 'If-Range mismatch sends the whole file');
  });

  it('refuses path traversal, encoded or not, and unknown files', async () => {
    for (const path of [
      `/videos/${pub}/../../etc/passwd`,
      `/videos/${pub}/%2e%2e/%2e%2e/etc/passwd`,
      `/videos/${pub}/..%2f..%2fsource`,
      `/videos/${pub}/%252e%252e/source`,
      `/videos/${pub}/r0/..%5c..%5csource`,
      `/videos/${pub}/./master.m3u8`,
      `/videos/../videos/${pub}/master.m3u8`,
      `/videos/${pub}/..`,
    ]) {
      const res = await rawGet(stack.url, path);
      assert.ok([400, 404].includes(res.status), `${path} → ${res.status}`);
    }
    for (const path of [`/videos/${pub}/source`, `/videos/${pub}/nope.m4s`, `/videos/not-a-uuid/master.m3u8`, `/videos/${pub}/master.m3u8?maxHeight=abc`]) {
      const res = await fetch(`${stack.url}${path}`);
      assert.ok([400, 404].includes(res.status), `${path} → ${res.status}`);
    }
  });

  it('serves private videos only with a valid token, on every manifest and segment', async () => {
    const priv = await seedVideo(stack, { ownerId: owner.userId, visibility: Visibility.PRIVATE, ladder });
    const other = await seedVideo(stack, { ownerId: owner.userId, visibility: Visibility.PRIVATE, ladder });
    const r = await gql<{ video: { poster: { url: string }; playback: { hlsUrl: string; dashUrl: string; expiresAt: string } } }>(stack.url, PLAYBACK, { id: priv }, owner.token);
    const { expiresAt } = r.data!.video.playback;
    const hlsUrl = r.data!.video.playback.hlsUrl;
    const dashUrl = r.data!.video.playback.dashUrl;
    assert.ok(new Date(expiresAt).getTime() > Date.now());
    const token = new URL(hlsUrl).searchParams.get('token');
    assert.ok(token);

    assert.equal((await fetch(`${stack.url}/videos/${priv}/master.m3u8`)).status, 404, 'no token: as if missing');
    assert.equal((await fetch(`${stack.url}/videos/${priv}/r0/seg-00001.m4s`)).status, 404);
    const master = await fetch(hlsUrl);
    assert.equal(master.status, 200);
    assert.match(master.headers.get('cache-control') ?? '', /^private/);
    const masterText = await master.text();
    // Follow the rewritten manifest all the way to a segment, as a player would.
    const variant = masterText.split('\n').find((l) => l.startsWith('media_0.m3u8'));
    assert.ok(variant?.includes(`token=${token}`), masterText);
    const media = await (await fetch(new URL(variant!, hlsUrl))).text();
    const segLine = media.split('\n').find((l) => l.includes('.m4s'));
    assert.ok(segLine?.includes(`token=${token}`));
    assert.match(media, /#EXT-X-MAP:URI="r0\/init\.mp4\?token=/);
    const seg = await fetch(new URL(segLine!, hlsUrl));
    assert.equal(seg.status, 200);
    assert.match(seg.headers.get('cache-control') ?? '', /^private, max-age=\d+$/);
    const mpd = await (await fetch(dashUrl)).text();
    assert.match(mpd, /media="r\$RepresentationID\$\/seg-\$Number%05d\$\.m4s\?token=/);
    assert.equal((await fetch(r.data!.video.poster.url)).status, 200, 'poster URL is signed too');

    const signer = new MediaSigner(stack.config.mediaSigningSecret);
    const expired = signer.sign(priv, new Date(Date.now() - 1000));
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    const longer = `${Number(token.split('.')[0]) + 3600}.${token.split('.')[1]}`;
    const foreign = signer.sign(other, new Date(Date.now() + 60_000));
    for (const [name, t] of [['expired', expired], ['forged', forged], ['extended', longer], ['other video', foreign], ['garbage', 'x']] as const) {
      for (const file of ['master.m3u8', 'r0/seg-00001.m4s']) {
        const res = await fetch(`${stack.url}/videos/${priv}/${file}?token=${encodeURIComponent(t)}`);
        assert.equal(res.status, 403, `${name} token on ${file}`);
      }
    }
  });

  it('limits manifests to suitable rungs with maxHeight and saveData hints', async () => {
    const all = await gql<{ video: { playback: { hlsUrl: string; dashUrl: string } } }>(stack.url, PLAYBACK, { id: pub });
    assert.ok(!all.data!.video.playback.hlsUrl.includes('maxHeight'));
    const full = await (await fetch(all.data!.video.playback.hlsUrl)).text();
    assert.match(full, /RESOLUTION=320x240/);
    for (const vars of [{ h: 200 }, { s: true, h: 1080 }, { h: 50 }]) {
      const r = await gql<{ video: { playback: { hlsUrl: string; dashUrl: string } } }>(stack.url, PLAYBACK, { id: pub, ...vars });
      const hlsText = await (await fetch(r.data!.video.playback.hlsUrl)).text();
      const mpd = await (await fetch(r.data!.video.playback.dashUrl)).text();
      if (vars.s) {
        // 240p is under the data-saver limit: nothing to drop.
        assert.match(hlsText, /RESOLUTION=320x240/);
        continue;
      }
      assert.doesNotMatch(hlsText, /RESOLUTION=320x240/, JSON.stringify(vars));
      assert.match(hlsText, /RESOLUTION=160x120/, 'the smallest rung always stays');
      assert.doesNotMatch(mpd, /height="240"/);
      assert.match(mpd, /height="120"/);
      assert.match(mpd, /contentType="audio"/);
    }
    assert.equal(errorCode(await gql(stack.url, PLAYBACK, { id: pub, h: -5 })), 'BAD_USER_INPUT');
  });

  it('deletes everything: objects, rows, cache entries; its URLs answer 404', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    assert.equal((await fetch(`${stack.url}/videos/${id}/master.m3u8`)).status, 200); // also fills the cache
    const queue = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    await queue.add('video.transcode', { videoId: id }, { delay: 60_000 });
    assert.ok((await stack.api.infra.redis.exists(cacheKeys(stack.config.redisPrefix, id).data)) === 1);
    const r = await gql<{ deleteVideo: boolean }>(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id }, owner.token);
    assert.equal(r.data?.deleteVideo, true);
    assert.deepEqual(await listVideoObjects(stack.api.infra.storage, id), []);
    assert.equal(await stack.api.infra.ds.getRepository(VideoEntity).countBy({ id }), 0);
    assert.equal(await stack.api.infra.ds.getRepository(RenditionEntity).countBy({ videoId: id }), 0);
    const keys = await stack.api.infra.redis.keys(`${stack.config.redisPrefix}:*${id}*`);
    assert.deepEqual(keys, []);
    assert.equal((await fetch(`${stack.url}/videos/${id}/master.m3u8`)).status, 404);
    assert.equal((await fetch(`${stack.url}/videos/${id}/r0/seg-00001.m4s`)).status, 404);
    assert.equal((await gql<{ video: null }>(stack.url, PLAYBACK, { id })).data?.video, null);
    assert.equal(errorCode(await gql(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id }, owner.token)), 'NOT_FOUND');
    assert.equal(await queue.queue.getJob(jobIdFor('video.transcode', id)), undefined, 'queued transcode removed');
    await queue.close();
  });

  it('purges what a transcode wrote after its video was deleted (the purge job)', async () => {
    const id = randomUUID(); // no row: deleted while the worker was still writing
    const { storage } = stack.api.infra;
    await storage.put(`videos/${id}/public/late/seg-00001.m4s`, Readable.from([Buffer.alloc(10)]));
    await storage.put(sourceKey(id), Readable.from([Buffer.alloc(10)]));
    const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    const videos = new VideoRepository(stack.api.infra.ds);
    const cache = new VideoCache(stack.api.infra.redis, stack.config.redisPrefix, videos, { enabled: true, ttlSeconds: 60, negativeTtlSeconds: 5, jitter: 0 });
    const deps = { videos, jobs, storage, cache };
    await purgeHandler(deps)({ data: { videoId: id } } as Job<{ videoId: string }, unknown, 'video.purge'>);
    assert.deepEqual(await listVideoObjects(storage, id), [], 'the original (sources/) too');
    const live = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const result = await purgeHandler(deps)({ data: { videoId: live } } as Job<{ videoId: string }, unknown, 'video.purge'>);
    assert.deepEqual(result, { skipped: 'video exists' });
    assert.ok((await storage.list(videoPrefix(live))).length > 0, 'an existing video is never purged');
    await jobs.close();
  });
});

describe('delivery behind a CDN (PUBLIC_MEDIA_BASE_URL)', () => {
  let stack: TestStack;
  let ladder: Ladder;
  before(async () => {
    [stack, ladder] = await Promise.all([startStack({ env: { PUBLIC_MEDIA_BASE_URL: 'https://cdn.example.com/media' } }), makeLadder()]);
  });
  after(async () => {
    await stack.close();
    await ladder.cleanup();
  });

  it('redirects public files to the CDN but still serves private ones itself', async () => {
    const owner = await signUp(stack.url);
    const pub = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const res = await fetch(`${stack.url}/videos/${pub}/r0/seg-00001.m4s`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `https://cdn.example.com/media/videos/${pub}/public/r0/seg-00001.m4s`);
    const priv = await seedVideo(stack, { ownerId: owner.userId, ladder, visibility: Visibility.PRIVATE });
    const r = await gql<{ video: { playback: { hlsUrl: string } } }>(stack.url, PLAYBACK, { id: priv }, owner.token);
    const master = await fetch(r.data!.video.playback.hlsUrl, { redirect: 'manual' });
    assert.equal(master.status, 200);
  });
});
