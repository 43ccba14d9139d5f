import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JobQueue } from '../../src/jobs/job-queue';
import { jobIdFor } from '../../src/jobs/job-types';
import { generationOf, publicPrefix } from '../../src/storage/keys';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { RenditionEntity } from '../../src/db/entities';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { ffprobeJson, makeClip, mediaDir, mp4Boxes, queueVideo, seedVideo, waitForJob, type MediaDir } from '../helpers/media';

interface DownloadView { status: string; height: number; width: number; url: string | null; filename: string; sizeBytes: number | null; expiresAt: string | null }
const DOWNLOAD = 'query($id:ID!,$h:Int){ video(id:$id){ allowDownload download(height:$h){ status height width url filename sizeBytes expiresAt } } }';
const UPDATE = 'mutation($id:ID!,$input:VideoUpdateInput!){ updateVideo(id:$id,input:$input){ allowDownload visibility } }';
const SOURCE_SECONDS = 5;

describe('downloads: Video.download(height) → an MP4 of one rung', () => {
  let stack: TestStack;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  let viewer: { token: string; userId: string };
  let videoId: string;

  const ask = async (token: string | undefined, height: number | null = 240) => {
    const r = await gql<{ video: { allowDownload: boolean; download: DownloadView | null } | null }>(stack.url, DOWNLOAD, { id: videoId, h: height }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.video?.download ?? null;
  };
  const ready = async (token: string | undefined, height: number | null = 240): Promise<DownloadView> => {
    for (const until = Date.now() + 90_000; Date.now() < until; await new Promise((r) => setTimeout(r, 300))) {
      const d = await ask(token, height);
      assert.ok(d, 'a download is offered');
      assert.notEqual(d.status, 'FAILED');
      if (d.status === 'READY') return d;
      assert.equal(d.url, null, 'no URL while PENDING');
    }
    throw new Error('download never became READY');
  };
  const update = (input: Record<string, unknown>) => gql(stack.url, UPDATE, { id: videoId, input }, owner.token);
  const withoutToken = (url: string) => url.replace(/[?&]token=[^&]+/, '');

  before(async () => {
    stack = await startStack({ worker: true, env: { SEGMENT_SECONDS: '2' } });
    media = await mediaDir();
    const clip = await makeClip(path.join(media.dir, 'in.mp4'), { size: '640x360', seconds: SOURCE_SECONDS });
    [owner, viewer] = await Promise.all([signUp(stack.url, 'Owner'), signUp(stack.url, 'Viewer')]);
    videoId = await queueVideo(stack, owner.userId, clip);
    assert.equal(await waitForJob(stack, videoId), 'completed');
    await gql(stack.url, 'mutation($id:ID!){ updateVideo(id:$id,input:{ title: "Ünïcode: a/b \\"clip\\"" }){ id } }', { id: videoId }, owner.token);
  });
  after(async () => {
    await stack?.close();
    await media?.cleanup();
  });

  it('is made on first request (PENDING), then served as a fast-start MP4 whose duration matches the source, with Range', async () => {
    const first = await ask(owner.token);
    assert.equal(first?.status, 'PENDING');
    assert.equal(first?.url, null);
    const d = await ready(owner.token);
    assert.deepEqual([d.height, d.width], [240, 426]);
    assert.equal(d.filename, 'Ünïcode a b clip-240p.mp4');
    assert.ok(d.url && d.sizeBytes && d.expiresAt, 'READY: url, size and (owner-only: signed) expiry');

    const res = await fetch(d.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="[^"]*-240p\.mp4"; filename\*=UTF-8''%C3%9Cn%C3%AFcode%20a%20b%20clip-240p\.mp4$/);
    assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d+$/, 'owner-only downloads stay out of shared caches');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.length, d.sizeBytes);
    const boxes = mp4Boxes(bytes);
    assert.ok(boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov before mdat: ${boxes.join(',')}`);

    const file = path.join(media.dir, 'download.mp4');
    await writeFile(file, bytes);
    const probe = await ffprobeJson<{ format: { duration: string; format_name: string }; streams: { codec_name: string; codec_type: string; width?: number; height?: number }[] }>([
      '-show_format', '-show_streams', file,
    ]);
    assert.ok(Math.abs(Number(probe.format.duration) - SOURCE_SECONDS) < 0.15, `duration ${probe.format.duration} vs ${SOURCE_SECONDS}`);
    assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    assert.deepEqual(probe.streams.filter((s) => s.codec_type === 'video').map((s) => [s.width, s.height]), [[426, 240]]);

    const part = await fetch(d.url, { headers: { range: 'bytes=100-1099' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-1099/${bytes.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 1100));
  });

  it('is stored under the published generation, so it goes when a re-encode replaces that generation', async () => {
    const d = await ready(owner.token);
    const rungs = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId });
    const generation = generationOf(videoId, rungs[0]!.playlistKey);
    assert.ok(generation, 'a generation folder');
    const key = `${publicPrefix(videoId)}${generation}/downloads/240p.mp4`;
    assert.ok(new URL(d.url!).pathname.endsWith(`/${generation}/downloads/240p.mp4`));
    assert.ok(await stack.api.infra.storage.stat(key));

    // A second encode of the same source (the finished job's id must be free again): a new generation.
    const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    try {
      await (await jobs.queue.getJob(jobIdFor('video.transcode', videoId)))?.remove();
      await jobs.add('video.transcode', { videoId });
    } finally {
      await jobs.close();
    }
    assert.equal(await waitForJob(stack, videoId), 'completed');
    const after = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId });
    assert.notEqual(generationOf(videoId, after[0]!.playlistKey), generation);
    assert.equal(await stack.api.infra.storage.stat(key), null, 'the old download went with its generation');
    const again = await ask(owner.token);
    assert.equal(again?.status, 'PENDING', 'the new generation has its own download');
    await ready(owner.token);
  });

  it('makes one remux however many first requests arrive at once', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(owner.token, 360)));
    assert.ok(answers.every((a) => a?.status === 'PENDING'));
    const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    try {
      const all = await jobs.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
      const remuxes = all.filter((j) => j.name === 'video.download' && j.data.videoId === videoId && j.data.height === 360);
      assert.equal(remuxes.length, 1);
    } finally {
      await jobs.close();
    }
    const d = await ready(owner.token, 360);
    assert.deepEqual([d.height, d.width], [360, 640]);
  });

  it('is refused for an unknown rung, and is not offered before READY', async () => {
    const bad = await gql(stack.url, DOWNLOAD, { id: videoId, h: 1080 }, owner.token);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    const pending = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.PROCESSING });
    const r = await gql<{ video: { download: unknown } }>(stack.url, DOWNLOAD, { id: pending, h: null }, owner.token);
    assert.equal(r.data?.video.download, null);
  });

  it('is offered to others only while allowDownload is on; the file follows the switch', async () => {
    const mine = await ready(owner.token);
    assert.equal(await ask(viewer.token), null, 'allowDownload is off by default');
    assert.equal(await ask(undefined), null);
    const bare = withoutToken(mine.url!);
    assert.equal((await fetch(bare)).status, 403, 'the file needs the owner token while downloads are off');

    assert.equal((await update({ allowDownload: true })).errors, undefined);
    const theirs = await ready(viewer.token);
    assert.equal(theirs.url, bare, 'a public video: no token');
    assert.equal(theirs.expiresAt, null);
    const res = await fetch(theirs.url!);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal((await ready(undefined)).url, bare, 'anonymous viewers too');

    await update({ allowDownload: false });
    assert.equal(await ask(viewer.token), null);
    assert.equal((await fetch(bare)).status, 403);
    assert.equal((await fetch(mine.url!)).status, 200, "the owner's signed URL still works");
  });

  it('signs private videos, whose files need the token; an owner token opens downloads only', async () => {
    await update({ visibility: Visibility.PRIVATE, allowDownload: true });
    try {
      const d = await ready(owner.token);
      assert.match(d.url ?? '', /[?&]token=/);
      assert.equal((await fetch(withoutToken(d.url!))).status, 404);
      const res = await fetch(d.url!);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d+$/);
      assert.equal(await ask(viewer.token), null, 'strangers do not see a private video at all');

      await update({ allowDownload: false });
      const ownerOnly = await ready(owner.token);
      assert.equal((await fetch(ownerOnly.url!)).status, 200);
      const token = new URL(ownerOnly.url!).searchParams.get('token');
      const manifest = await fetch(`${stack.url}/videos/${videoId}/${generationOf(videoId, (await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId }))[0]!.playlistKey)}/master.m3u8?token=${token}`);
      assert.equal(manifest.status, 403, 'an owner-scope token is not a media token');
    } finally {
      await update({ visibility: Visibility.PUBLIC, allowDownload: false });
    }
  });
});
