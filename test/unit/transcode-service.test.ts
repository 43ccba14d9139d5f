import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ProgressReporter } from '../../src/events/progress-reporter';
import { JobProgress } from '../../src/events/progress-model';
import type { VideoProgress } from '../../src/events/progress';
import { FfmpegError, type RunOptions } from '../../src/media/ffmpeg-runner';
import { MediaError } from '../../src/media/media-policy';
import type { MediaTools } from '../../src/media/media-tools';
import type { ProbeResult } from '../../src/media/probe';
import type { VideoEntity } from '../../src/db/entities';
import { publicPrefix, sourceKey } from '../../src/storage/keys';
import { TranscodeService, VideoGoneError } from '../../src/videos/transcode.service';
import type { Publication } from '../../src/videos/video-lifecycle';
import { MemoryStorage, probeOf, recorder } from '../helpers/fakes';

const ID = '3f1c9a52-7b1e-4d6a-9c39-8e2b7f0d4a11';

/**
 * ffmpeg as the service sees it: writes an HLS master listing one variant per scaled (or copied)
 * stream into the DASH output's folder, and the poster files it is asked for.
 */
function fakeTools(info: ProbeResult, opts: { failEncodeAt?: number } = {}) {
  const runs: string[][] = [];
  const tools: MediaTools = {
    probe: async () => info,
    checkDecodable: async () => undefined,
    keyframeTimes: async () => [],
    probeImage: async () => Promise.reject(new Error('not used by transcodes')),
    hasEncoder: async () => true,
    async run(args: string[], run: RunOptions = {}) {
      runs.push(args);
      const mpd = args.find((a) => a.endsWith('manifest.mpd'));
      if (mpd) {
        if (opts.failEncodeAt !== undefined && args.includes('-filter_complex')) {
          run.onProgress?.({ outTimeSeconds: opts.failEncodeAt, speed: 1, done: false });
          throw new FfmpegError('ffmpeg failed (exit 1): Invalid data found when processing input', false);
        }
        run.onProgress?.({ outTimeSeconds: info.duration / 2, speed: 1, done: false });
        const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
        const sizes = [...graph.matchAll(/scale=(\d+):(\d+):flags/g)].map((m) => [Number(m[1]), Number(m[2])]);
        if (!sizes.length) sizes.push([info.displayWidth, info.displayHeight]); // stream copy
        const master = ['#EXTM3U', '#EXT-X-VERSION:7'];
        sizes.forEach(([w, h], i) => master.push(`#EXT-X-STREAM-INF:BANDWIDTH=${(i + 1) * 100_000},RESOLUTION=${w}x${h},CODECS="avc1.64001e,mp4a.40.2"`, `media_${i}.m3u8`));
        await writeFile(path.join(path.dirname(mpd), 'master.m3u8'), `${master.join('\n')}\n`);
        await writeFile(mpd, `<MPD>${sizes.map((_, i) => `<Representation id="${i}" bandwidth="1"/>`).join('')}</MPD>`);
        for (const i of sizes.keys()) {
          const media = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:2', `#EXT-X-MAP:URI="init-${i}.mp4"`, '#EXTINF:2.000,', `seg-${i}-00001.m4s`, '#EXT-X-ENDLIST'];
          await writeFile(path.join(path.dirname(mpd), `media_${i}.m3u8`), `${media.join('\n')}\n`);
          await writeFile(path.join(path.dirname(mpd), `seg-${i}-00001.m4s`), 'x'.repeat(1000 * (i + 1)));
        }
      }
      for (const file of args.filter((a) => /poster-\d+x\d+\.jpg$/.test(a))) await writeFile(file, 'jpeg');
    },
  };
  return { tools, runs };
}

function fakeLifecycle(claims = true) {
  return recorder({
    claim: async (_id: string) => claims,
    recordProbe: async () => true,
    publishPlayable: async (_id: string, _pub: Publication, _p: { percent: number; rendition: number | null }) => true,
    markReady: async (_id: string, _pub: Publication) => true,
    fail: async (_id: string, _reason: string) => true,
  });
}

async function setup(info: ProbeResult, opts: { claims?: boolean; failEncodeAt?: number; throttleMs?: number } = {}) {
  const storage = new MemoryStorage();
  await storage.put(sourceKey(ID), Readable.from([Buffer.from('source bytes')]));
  const lifecycle = fakeLifecycle(opts.claims ?? true);
  const { tools, runs } = fakeTools(info, opts);
  const service = new TranscodeService({
    lifecycle,
    videos: { findById: async (id: string) => ({ id, sourceKey: sourceKey(id) }) as VideoEntity },
    storage,
    tools,
    captions: { refresh: async () => undefined },
    settings: { preset: 'veryfast', segmentSeconds: 2, audioBitrate: 128_000, rateControl: { mode: 'capped-crf', crf: 21 } },
    logger: pino({ level: 'silent' }),
  });
  const events: VideoProgress[] = [];
  // No throttle by default; with `throttleMs`, only what the reporter must always send gets through (no heartbeat either).
  const reporter = opts.throttleMs ? new ProgressReporter([(e) => void events.push(e)], opts.throttleMs, Date.now, 0) : new ProgressReporter([(e) => void events.push(e)], 0);
  const run = () => service.run(ID, { reporter, signal: new AbortController().signal, progress: new JobProgress({ floor: 0, restarted: false, reset: false }), attempt: 1 });
  return { storage, lifecycle, runs, service, events, run };
}

describe('TranscodeService (fakes for storage, ffmpeg and the lifecycle)', () => {
  it('discards a first playable version the lifecycle refuses (video deleted meanwhile) and encodes no ladder (issue 9, item 11)', async () => {
    const s = await setup(probeOf());
    s.lifecycle.publishPlayable = async () => false;
    await assert.rejects(s.run(), VideoGoneError);
    assert.deepEqual(s.lifecycle.calls.map(([m]) => m), ['claim', 'recordProbe', 'publishPlayable']);
    assert.equal(s.runs.length, 1, 'only the quick version was made');
    assert.deepEqual(await s.storage.list(publicPrefix(ID)), [], 'nothing of the refused version stays');
  });

  it('runs the stages in order: claim, probe, a playable copy, the ladder, thumbnails, READY; then only the new generation remains', async () => {
    const s = await setup(probeOf());
    assert.equal(await s.run(), 'READY');
    assert.deepEqual(s.lifecycle.calls.map(([m]) => m), ['claim', 'recordProbe', 'publishPlayable', 'markReady']);
    const [, [, quick, progress]] = s.lifecycle.calls[2] as [string, [string, Publication, { percent: number; rendition: number }]];
    assert.deepEqual([quick.renditions.map((r) => r.height), progress], [[360], { percent: 29.7, phasePercent: 10, attempt: 1, rendition: 360 }]);
    const ready = s.lifecycle.calls[3][1][1] as Publication;
    assert.deepEqual(ready.renditions.map((r) => [r.width, r.height]), [[640, 360], [426, 240]]);
    assert.equal(ready.poster?.length, 2);
    assert.equal(ready.encodingSettings?.firstPlayable, 'remux');
    // Measured from the written segments (1000 and 2000 bytes over 2 s), not the muxer's figures.
    assert.deepEqual(ready.renditions.map((r) => r.bitrate), [4000, 8000]);
    const master = s.storage.objects.get(ready.hlsKey)?.toString() ?? '';
    assert.match(master, /BANDWIDTH=4000,AVERAGE-BANDWIDTH=4000,RESOLUTION=640x360/);

    const phases = ['PROBE', 'TRANSCODE', 'THUMBNAILS', 'PUBLISH'];
    assert.deepEqual([...new Set(s.events.map((e) => e.phase))], phases);
    assert.ok(s.events.every((e, i) => i === 0 || e.percent >= s.events[i - 1].percent), s.events.map((e) => e.percent).join());
    const firstPlayable = s.events.findIndex((e) => e.playable);
    assert.ok(firstPlayable > 0 && s.events[firstPlayable].phase === 'TRANSCODE');
    assert.ok(s.events.slice(firstPlayable).every((e) => e.playable), 'playable once the quick copy is published');
    const folders = new Set((await s.storage.list(publicPrefix(ID))).map((k) => k.slice(publicPrefix(ID).length).split('/')[0]));
    assert.equal(folders.size, 1, 'the quick copy is removed once READY');
    assert.ok(ready.hlsKey.startsWith(`${publicPrefix(ID)}${[...folders][0]}/`));
  });

  it('moves THUMBNAILS step by step (poster, storyboard sheet, index), each step sent however tight the throttle', async () => {
    const s = await setup(probeOf(), { throttleMs: 3_600_000 });
    assert.equal(await s.run(), 'READY');
    const thumbnails = s.events.filter((e) => e.phase === 'THUMBNAILS');
    assert.deepEqual(thumbnails.map((e) => e.phasePercent), [0, 75, 95, 100]);
    const percents = thumbnails.map((e) => e.percent);
    assert.ok(percents.every((p, i) => p >= 90 && p <= 94 && (i === 0 || p > percents[i - 1])), percents.join());
    assert.equal(percents.at(-1), 94);
  });

  it('skips a video it may not claim without touching storage or ffmpeg', async () => {
    const s = await setup(probeOf(), { claims: false });
    assert.equal(await s.run(), 'SKIPPED');
    assert.deepEqual(s.lifecycle.calls.map(([m]) => m), ['claim']);
    assert.deepEqual(s.runs, []);
  });

  it('refuses a still image with the media policy reason, before any ffmpeg run', async () => {
    const s = await setup(probeOf({ formatName: 'png_pipe', videoCodec: 'png', isStillImage: true, hasAudio: false, audioCodec: null }));
    await assert.rejects(s.run(), (err: unknown) => err instanceof MediaError && err.message === 'Unsupported media: the file is a still image, not a video');
    assert.deepEqual(s.lifecycle.calls.map(([m]) => m), ['claim']);
    assert.deepEqual(s.runs, []);
  });

  it('turns an ffmpeg failure into bad media, with where it stopped, and leaves no outputs', async () => {
    // 426x240 HEVC: not remuxable and a single rung, so the ladder is the first ffmpeg run.
    const s = await setup(probeOf({ width: 426, height: 240, displayWidth: 426, displayHeight: 240, videoCodec: 'hevc' }), { failEncodeAt: 1.25 });
    await assert.rejects(s.run(), (err: unknown) => err instanceof MediaError && /damaged or cannot be decoded \(stopped at 1\.3 s\)/.test(err.message));
    assert.deepEqual(s.lifecycle.calls.map(([m]) => m), ['claim', 'recordProbe']);
    assert.deepEqual(await s.storage.list(publicPrefix(ID)), []);
  });

  it('fails through the lifecycle and removes public outputs only when the move applied', async () => {
    const s = await setup(probeOf());
    await s.run();
    assert.equal(await s.service.fail(ID, 'broken'), true);
    assert.deepEqual(await s.storage.list(publicPrefix(ID)), []);
    assert.ok(await s.storage.stat(sourceKey(ID)), 'the original stays for a retry');

    const refused = await setup(probeOf());
    await refused.run();
    refused.lifecycle.fail = async () => false; // e.g. READY meanwhile
    assert.equal(await refused.service.fail(ID, 'late'), false);
    assert.ok((await refused.storage.list(publicPrefix(ID))).length > 0);
  });
});
