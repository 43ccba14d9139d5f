import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import * as HLS from 'hls-parser';
import { RenditionEntity } from '../../src/db/entities';
import { publicPrefix } from '../../src/storage/keys';
import { VideoStatus } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { collect, gql, signUp, wsClient } from '../helpers/graphql';
import { enqueue, waitForJob, fetchToFile, ffprobeJson, makeClip, mediaDir, queueVideo, readText, waitForStatus } from '../helpers/media';
import { JobQueue } from '../../src/jobs/job-queue';
import { jobIdFor } from '../../src/jobs/job-types';
import { readFile } from 'node:fs/promises';

const SEGMENT = 2;

interface Event { status: string; phase: string; percent: number; rendition: number | null; playable: boolean; message: string | null }
const PROGRESS = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent rendition playable message } }';
const VIDEO = `query($id:ID!){ video(id:$id){ status failureReason durationSeconds width height
  renditions{ height width bitrate codecs frameRate } poster{ url width height }
  storyboard{ vttUrl imageUrl tileWidth tileHeight intervalSeconds } playback{ hlsUrl dashUrl } } }`;

interface VideoView {
  status: string; failureReason: string | null; durationSeconds: number; width: number; height: number;
  renditions: { height: number; width: number; bitrate: number; codecs: string; frameRate: number }[];
  poster: { url: string; width: number; height: number } | null;
  storyboard: { vttUrl: string; imageUrl: string; tileWidth: number; tileHeight: number; intervalSeconds: number } | null;
  playback: { hlsUrl: string; dashUrl: string } | null;
}

describe('transcode job end to end (640x360, 4 s, H.264/AAC)', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let videoId: string;
  let events: Event[];
  let view: VideoView;
  const keyOf = (url: string) => `${publicPrefix(videoId)}${url.split(`/videos/${videoId}/`)[1]}`;
  const text = (key: string) => readText(stack, key);

  before(async () => {
    stack = await startStack({ worker: true, env: { SEGMENT_SECONDS: String(SEGMENT) } });
    media = await mediaDir();
    const clip = await makeClip(path.join(media.dir, 'in.mp4'), { size: '640x360', seconds: 4 });
    const owner = await signUp(stack.url);
    videoId = await queueVideo(stack, owner.userId, clip, { enqueue: false });
    const client = wsClient(stack.url, owner.token);
    const sub = collect<{ videoProgress: Event }>(client, PROGRESS, { id: videoId }, (e) => ['READY', 'FAILED'].includes(e.videoProgress.status), 120_000);
    await sub.ready;
    await enqueue(stack, videoId);
    events = (await sub.done).map((e) => e.videoProgress);
    await waitForJob(stack, videoId);
    await client.dispose();
    const r = await gql<{ video: VideoView }>(stack.url, VIDEO, { id: videoId }, owner.token);
    view = r.data!.video;
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('ends READY with a ladder of 360p and 240p, never upscaled', () => {
    assert.equal(view.status, 'READY', view.failureReason ?? '');
    assert.deepEqual(view.renditions.map((r) => [r.width, r.height]), [[640, 360], [426, 240]]);
    assert.ok(Math.abs(view.durationSeconds - 4) < 0.2);
    for (const r of view.renditions) assert.match(r.codecs, /^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
  });

  it('sends ordered progress events: PROBE, a playable first rendition, TRANSCODE per rung, THUMBNAILS, PUBLISH, READY', () => {
    // A QUEUED event (queue position 0, announced as the worker takes the job) may come first.
    const order = ['QUEUED', 'PROBE', 'TRANSCODE', 'THUMBNAILS', 'PUBLISH', 'DONE'];
    const phases = events.map((e) => order.indexOf(e.phase));
    assert.ok(phases.every((p, i) => p >= 0 && (i === 0 || p >= phases[i - 1])), JSON.stringify(events.map((e) => e.phase)));
    assert.deepEqual([...new Set(events.map((e) => e.phase))].filter((p) => p !== 'QUEUED'), order.slice(1));
    const percents = events.map((e) => e.percent);
    assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `percent goes backwards: ${percents.join(',')}`);
    const firstPlayable = events.findIndex((e) => e.playable);
    assert.ok(firstPlayable > 0 && events[firstPlayable].rendition !== null && events[firstPlayable].status === 'PROCESSING');
    const rungs = events.filter((e) => e.phase === 'TRANSCODE' && e.rendition !== null).map((e) => e.rendition);
    assert.ok(rungs.includes(360) && rungs.includes(240), JSON.stringify(rungs));
    const last = events.at(-1)!;
    assert.equal(last.status, 'READY');
    assert.equal(last.percent, 100);
  });

  it('writes an HLS master with BANDWIDTH, RESOLUTION, CODECS, FRAME-RATE over fMP4 segments of the right length', async () => {
    const masterKey = keyOf(view.playback!.hlsUrl);
    const master = HLS.parse(await text(masterKey));
    assert.ok(master.isMasterPlaylist);
    assert.equal(master.variants.length, 2);
    for (const v of master.variants) {
      assert.ok(v.bandwidth > 0 && v.resolution && v.codecs && v.frameRate === 25, JSON.stringify(v));
      const media = HLS.parse(await text(path.posix.join(path.posix.dirname(masterKey), v.uri)));
      assert.ok(!media.isMasterPlaylist);
      assert.ok(media.segments.length === 2, `segments: ${media.segments.length}`);
      for (const s of media.segments) assert.ok(Math.abs(s.duration - SEGMENT) < 0.05, `segment of ${s.duration}s`);
      assert.match(media.segments[0].map?.uri ?? '', /^init-\d+\.mp4$/);
    }
  });

  it('advertises BANDWIDTH and AVERAGE-BANDWIDTH measured from the stored segments (video plus audio), not the encoder settings', async () => {
    const masterKey = keyOf(view.playback!.hlsUrl);
    const dir = path.posix.dirname(masterKey);
    const master = HLS.parse(await text(masterKey));
    assert.ok(master.isMasterPlaylist);
    const rate = async (uri: string) => {
      const media = HLS.parse(await text(path.posix.join(dir, uri)));
      assert.ok(!media.isMasterPlaylist);
      let bytes = 0;
      for (const s of media.segments) bytes += (await stack.api.infra.storage.stat(path.posix.join(dir, s.uri)))!.size;
      return (bytes * 8) / media.segments.reduce((n, s) => n + s.duration, 0);
    };
    const audioUri = master.variants[0].audio[0]?.uri;
    assert.ok(audioUri, 'an audio rendition');
    const audio = await rate(audioUri);
    for (const [i, v] of master.variants.entries()) {
      const expected = (await rate(v.uri)) + audio;
      assert.ok(Math.abs((v.averageBandwidth ?? 0) - expected) <= 2, `${v.averageBandwidth} vs ${expected}`);
      assert.ok(v.bandwidth >= (v.averageBandwidth ?? Infinity));
      assert.equal(view.renditions[i].bitrate, v.bandwidth);
    }
  });

  it('references the same segments from the DASH MPD, with codecs matching the HLS master', async () => {
    const mpd = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await text(keyOf(view.playback!.dashUrl)));
    const sets = [mpd.MPD.Period.AdaptationSet].flat();
    const video = sets.find((s: { contentType: string }) => s.contentType === 'video');
    const audio = sets.find((s: { contentType: string }) => s.contentType === 'audio');
    const reps = [video.Representation].flat() as { id: string; codecs: string; width: string; height: string; SegmentTemplate: { initialization: string; media: string } }[];
    assert.deepEqual(reps.map((r) => `${r.width}x${r.height}`), ['640x360', '426x240']);
    assert.ok(audio, 'audio adaptation set');
    const hlsCodecs = view.renditions.map((r) => r.codecs.split(',')[0]);
    assert.deepEqual(reps.map((r) => r.codecs), hlsCodecs);
    const folder = path.posix.dirname(keyOf(view.playback!.dashUrl));
    const keys = await stack.api.infra.storage.list(`${folder}/`);
    for (const r of reps) {
      const init = r.SegmentTemplate.initialization.replace('$RepresentationID$', r.id);
      assert.ok(keys.includes(`${folder}/${init}`), `${init} stored`);
    }
  });

  it('aligns keyframes across rungs at segment boundaries, codecs as the manifest says', async () => {
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).find({ where: { videoId }, order: { height: 'DESC' } });
    const keyframes: number[][] = [];
    for (const row of rows) {
      const folder = path.posix.dirname(row.playlistKey);
      const index = /media_(\d+)/.exec(row.playlistKey)![1];
      const segs = (await stack.api.infra.storage.list(`${folder}/`)).filter((k) => k.includes(`/seg-${index}-`)).sort();
      const file = path.join(media.dir, `r${row.height}.mp4`);
      const parts = [row.initKey!, ...segs];
      const buffers: Buffer[] = [];
      for (const k of parts) {
        const f = await fetchToFile(stack, k, path.join(media.dir, 'part'));
        buffers.push(await readFile(f));
      }
      await writeFile(file, Buffer.concat(buffers));
      const probe = await ffprobeJson<{ streams: { codec_name: string; profile: string; level: number; width: number; height: number }[]; packets: { pts_time: string; flags: string }[] }>(
        ['-select_streams', 'v:0', '-show_streams', '-show_packets', '-show_entries', 'packet=pts_time,flags', file],
      );
      const s = probe.streams[0];
      assert.equal(s.codec_name, 'h264');
      assert.equal(`${s.width}x${s.height}`, `${row.width}x${row.height}`);
      const [avc] = row.codecs.split(',');
      assert.equal(avc.slice(5, 7), s.profile === 'High' ? '64' : '??', `profile ${s.profile} vs ${avc}`);
      assert.equal(parseInt(avc.slice(9, 11), 16), s.level, `level ${s.level} vs ${avc}`);
      keyframes.push(probe.packets.filter((p) => p.flags.startsWith('K')).map((p) => Math.round(Number(p.pts_time) * 100) / 100));
    }
    assert.deepEqual(keyframes[0], [0, SEGMENT]);
    for (const k of keyframes) assert.deepEqual(k, keyframes[0]);
  });

  it('stores a poster in two sizes and a storyboard sprite with a WebVTT index', async () => {
    const row = await stack.api.infra.ds.query('SELECT poster, storyboard FROM videos WHERE id = ?', [videoId]);
    const poster = (typeof row[0].poster === 'string' ? JSON.parse(row[0].poster) : row[0].poster) as { key: string; width: number; height: number }[];
    assert.equal(poster.length, 2);
    assert.deepEqual([poster[0].width, poster[0].height], [640, 360]);
    assert.ok(poster[1].width < poster[0].width);
    for (const p of poster) {
      const f = await fetchToFile(stack, p.key, path.join(media.dir, 'poster.jpg'));
      const s = (await ffprobeJson<{ streams: { width: number; height: number }[] }>(['-show_streams', f])).streams[0];
      assert.deepEqual([s.width, s.height], [p.width, p.height]);
    }
    const sb = view.storyboard!;
    assert.deepEqual([sb.tileWidth, sb.tileHeight, sb.intervalSeconds], [160, 90, 1]);
    const sprite = await fetchToFile(stack, keyOf(sb.imageUrl), path.join(media.dir, 'sprite.jpg'));
    const s = (await ffprobeJson<{ streams: { width: number; height: number }[] }>(['-show_streams', sprite])).streams[0];
    assert.deepEqual([s.width, s.height], [4 * 160, 90]);
    const vtt = await text(keyOf(sb.vttUrl));
    assert.match(vtt, /^WEBVTT/);
    const cues = [...vtt.matchAll(/(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(storyboard-001\.jpg)#xywh=(\d+),(\d+),160,90/g)];
    assert.equal(cues.length, 4);
    assert.deepEqual(cues.map((c) => Number(c[4])), [0, 160, 320, 480]);
    assert.ok(view.poster && view.poster.width === 640);
  });

  it('leaves only the final generation in storage (the quick first version is gone)', async () => {
    const keys = await stack.api.infra.storage.list(publicPrefix(videoId));
    const folders = new Set(keys.map((k) => k.slice(publicPrefix(videoId).length).split('/')[0]));
    assert.equal(folders.size, 1, [...folders].join(','));
    const row = await stack.api.infra.ds.query('SELECT encoding_settings AS s FROM videos WHERE id = ?', [videoId]);
    const settings = (typeof row[0].s === 'string' ? JSON.parse(row[0].s) : row[0].s) as { firstPlayable: string; topRung: string; gopFrames: number };
    assert.deepEqual([settings.firstPlayable, settings.topRung, settings.gopFrames], ['remux', 'encode', 50]);
    assert.equal((await stack.api.infra.ds.getRepository(RenditionEntity).countBy({ videoId })), 2);
  });

  it('re-running the job overwrites cleanly: same rungs, no duplicate rows, old generation removed', async () => {
    const before = await stack.api.infra.storage.list(publicPrefix(videoId));
    await stack.api.infra.ds.query("UPDATE videos SET status = 'QUEUED' WHERE id = ?", [videoId]);
    const q = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    await q.queue.remove(jobIdFor('video.transcode', videoId));
    await q.close();
    await enqueue(stack, videoId);
    assert.equal(await waitForJob(stack, videoId), 'completed');
    const v = await waitForStatus(stack, videoId, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.status, VideoStatus.READY);
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId });
    assert.deepEqual(rows.map((r) => r.height).sort(), [240, 360]);
    const afterKeys = await stack.api.infra.storage.list(publicPrefix(videoId));
    assert.equal(afterKeys.filter((k) => before.includes(k)).length, 0, `no file of the previous generation survives: ${before.slice(0, 2).join()} / ${afterKeys.slice(0, 2).join()}`);
  });
});
