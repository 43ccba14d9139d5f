import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RenditionEntity } from '../../src/db/entities';
import { JobQueue } from '../../src/jobs/job-queue';
import { jobIdFor } from '../../src/jobs/job-types';
import { publicPrefix } from '../../src/storage/keys';
import { VideoStatus } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { enqueue, waitForJob, fetchToFile, ffmpeg, ffprobeJson, makeClip, mediaDir, queueVideo, waitForStatus } from '../helpers/media';

interface Event { status: string; phase: string; message: string | null }

describe('transcode: awkward and bad sources', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let owner: Awaited<ReturnType<typeof signUp>>;

  before(async () => {
    stack = await startStack({ worker: true });
    media = await mediaDir();
    owner = await signUp(stack.url);
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  /** Runs the job on `file` and checks it fails for good: one attempt, reason shown, nothing public left. */
  async function expectFailure(file: string, reason: RegExp): Promise<void> {
    const id = await queueVideo(stack, owner.userId, file, { enqueue: false });
    const client = wsClient(stack.url, owner.token);
    const sub = collect<{ videoProgress: Event }>(client, 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase message } }', { id }, (e) => e.videoProgress.status === 'FAILED', 60_000);
    await sub.ready;
    await enqueue(stack, id);
    assert.equal(await waitForJob(stack, id), 'failed');
    const v = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.status, VideoStatus.FAILED);
    assert.match(v.failureReason ?? '', reason);
    const last = (await sub.done).at(-1)!.videoProgress;
    await client.dispose();
    assert.equal(last.message, v.failureReason);
    assert.deepEqual(await stack.api.infra.storage.list(publicPrefix(id)), [], 'partial outputs deleted');
    assert.equal(await stack.api.infra.ds.getRepository(RenditionEntity).countBy({ videoId: id }), 0);
    assert.equal(v.hlsKey, null);
    const q = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    const job = await q.queue.getJob(jobIdFor('video.transcode', id));
    await q.close();
    assert.equal(await job?.getState(), 'failed');
    assert.equal(job?.attemptsMade, 1, 'bad media is not retried');
  }

  it('fails a file whose middle is corrupt, with a reason, and deletes partial outputs', async () => {
    const file = await makeClip(path.join(media.dir, 'corrupt.mp4'), { seconds: 4 });
    const { size } = await stat(file);
    const fh = await open(file, 'r+');
    await fh.write(randomBytes(Math.floor(size / 4)), 0, Math.floor(size / 4), Math.floor(size / 3));
    await fh.close();
    await expectFailure(file, /damaged or cannot be decoded/);
  });

  it('fails an audio-only file as unsupported media', async () => {
    const file = path.join(media.dir, 'tone.m4a');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:a', 'aac', file]);
    await expectFailure(file, /^Unsupported media: the file has audio but no video/);
  });

  it('fails a still image as unsupported media', async () => {
    const file = await media.png('still.png');
    await expectFailure(file, /^Unsupported media: the file is a still image/);
  });

  it('fails a file that is not media at all', async () => {
    const file = path.join(media.dir, 'junk.mp4');
    const fh = await open(file, 'w');
    await fh.write(randomBytes(64 * 1024));
    await fh.close();
    await expectFailure(file, /^Unsupported media/);
  });

  it('turns a portrait phone video with rotation metadata upright, on a portrait ladder', async () => {
    const coded = await makeClip(path.join(media.dir, 'phone-coded.mp4'), { size: '480x360', seconds: 2 });
    const file = path.join(media.dir, 'phone.mp4');
    // As phones store it: landscape pixels plus a display matrix saying "rotate 90°".
    await ffmpeg(['-i', coded, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
    const probe = await ffprobeJson<{ streams: { side_data_list?: { rotation?: number }[] }[] }>(['-select_streams', 'v:0', '-show_streams', file]);
    assert.equal(Math.abs(probe.streams[0].side_data_list?.[0]?.rotation ?? 0), 90, 'the test clip carries rotation metadata');
    const id = await queueVideo(stack, owner.userId, file);
    const v = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.status, VideoStatus.READY, v.failureReason ?? '');
    assert.deepEqual([v.width, v.height], [360, 480]);
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).find({ where: { videoId: id }, order: { height: 'DESC' } });
    assert.deepEqual(rows.map((r) => [r.width, r.height]), [[360, 480], [240, 320]]);
    const init = await fetchToFile(stack, rows[0].initKey!, path.join(media.dir, 'init.mp4'));
    const out = await ffprobeJson<{ streams: { width: number; height: number; side_data_list?: unknown[] }[] }>(['-select_streams', 'v:0', '-show_streams', init]);
    assert.deepEqual([out.streams[0].width, out.streams[0].height], [360, 480], 'pixels are stored upright');
    assert.equal(out.streams[0].side_data_list, undefined, 'no rotation left for players to apply');
    assert.ok(v.poster && v.poster[0].width === 360 && v.poster[0].height === 480);
    assert.equal(v.encodingSettings?.firstPlayable, 'lowest-rung', 'a rotated source is not copied: its lowest rung is encoded first');
  });

  it('plays a variable-frame-rate source at a constant rate with a 2-second 240p source getting one rung', async () => {
    const file = path.join(media.dir, 'vfr.mkv');
    // Frames at irregular instants: a constant-rate source retimed by a jittering expression.
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=30', '-t', '2', '-vf', "setpts='N/30/TB+0.01*sin(N)/TB'", '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
    const id = await queueVideo(stack, owner.userId, file);
    const v = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.status, VideoStatus.READY, v.failureReason ?? '');
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId: id });
    assert.deepEqual(rows.map((r) => r.height), [240]);
    const folder = path.posix.dirname(rows[0].playlistKey);
    const segs = (await stack.api.infra.storage.list(`${folder}/`)).filter((k) => /seg-0-/.test(k)).sort();
    const file2 = path.join(media.dir, 'vfr-out.mp4');
    const parts = [];
    for (const k of [rows[0].initKey!, ...segs]) parts.push(await readFile(await fetchToFile(stack, k, path.join(media.dir, 'p'))));
    await writeFile(file2, Buffer.concat(parts));
    const pk = await ffprobeJson<{ packets: { duration_time: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'packet=duration_time', file2]);
    const durations = new Set(pk.packets.map((p) => Number(p.duration_time).toFixed(4)));
    assert.equal(durations.size, 1, `constant frame duration, got ${[...durations].join(',')}`);
  });

  it('copies a source that already is the top rung (aligned keyframes, within bitrate) and encodes only the rest', async () => {
    const file = await makeClip(path.join(media.dir, 'web.mp4'), { size: '640x360', seconds: 8, extra: ['-g', '25', '-sc_threshold', '0', '-b:v', '300k', '-maxrate', '350k', '-bufsize', '700k'] });
    const id = await queueVideo(stack, owner.userId, file);
    assert.equal(await waitForJob(stack, id), 'completed');
    const v = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.encodingSettings?.topRung, 'copy');
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).find({ where: { videoId: id }, order: { height: 'DESC' } });
    assert.deepEqual(rows.map((r) => r.height), [360, 240]);
    assert.match(rows[0].codecs, /^avc1\.42/, 'the source (baseline) stream, untouched');
    assert.match(rows[1].codecs, /^avc1\.64/, 'the encoded rung');
    for (const row of rows) {
      const index = /media_(\d+)/.exec(row.playlistKey)![1];
      const folder = path.posix.dirname(row.playlistKey);
      const segs = (await stack.api.infra.storage.list(`${folder}/`)).filter((k) => k.includes(`/seg-${index}-`)).sort();
      assert.equal(segs.length, 2, 'two 4-second segments');
      const parts = [];
      for (const k of [row.initKey!, ...segs]) parts.push(await readFile(await fetchToFile(stack, k, path.join(media.dir, 'p'))));
      const joined = path.join(media.dir, `copy-${row.height}.mp4`);
      await writeFile(joined, Buffer.concat(parts));
      const pk = await ffprobeJson<{ packets: { pts_time: string; flags: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', joined]);
      const starts = segs.map((_, i) => i * 4);
      const kf = pk.packets.filter((p) => p.flags.startsWith('K')).map((p) => Number(p.pts_time));
      for (const t of starts) assert.ok(kf.some((k) => Math.abs(k - t) < 0.02), `keyframe at ${t}s in ${row.height}p`);
    }
  });
});

describe('transcode: per-job timeout', () => {
  it('stops ffmpeg, fails the video for good and removes every output and temp file', { timeout: 120_000 }, async () => {
    const stack = await startStack({ worker: true, env: { TRANSCODE_TIMEOUT_SECONDS: '1' } });
    const media = await mediaDir();
    try {
      const owner = await signUp(stack.url);
      const file = await makeClip(path.join(media.dir, 'slow.mp4'), { size: '1280x720', seconds: 10 });
      const id = await queueVideo(stack, owner.userId, file);
      assert.equal(await waitForJob(stack, id), 'failed');
      const v = await waitForStatus(stack, id, [VideoStatus.FAILED]);
      assert.match(v.failureReason ?? '', /took longer than/);
      assert.deepEqual(await stack.api.infra.storage.list(publicPrefix(id)), []);
      assert.deepEqual((await readdir(os.tmpdir())).filter((d) => d.startsWith(`vp-transcode-${id}-`)), []);
    } finally {
      await stack.close();
      await media.cleanup();
    }
  });
});
