import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VideoEntity } from '../src/db/entities';
import { VideoStatus, Visibility } from '../src/domain/video-status';
import { buildEncodeArgs } from '../src/media/ffmpeg-args';
import { runFfmpeg } from '../src/media/ffmpeg-runner';
import { buildLadder } from '../src/media/ladder';
import { publicKey } from '../src/storage/keys';
import { startStack } from '../test/helpers/env';
import { signUp } from '../test/helpers/graphql';
import { makeClip } from '../test/helpers/media';
import { cannon } from './reads.bench';
import { fmt, median, summary, type BenchOptions, type Row, type Section } from './report';

export const quick = true;

const PAGE = JSON.stringify({ query: '{ videos(first: 50) { edges { node { id title viewCount uploader { displayName } renditions { height } poster { url } } } } }' });

/** Slope between the first and last point on log-log axes: ~0 flat, ~1 linear. */
function slope(xs: number[], ys: number[]): string {
  const k = Math.log(ys.at(-1)! / ys[0]) / Math.log(xs.at(-1)! / xs[0]);
  const word = k < 0.15 ? 'flat' : k < 0.8 ? 'sub-linear' : k < 1.2 ? 'linear' : 'super-linear';
  return `${word} (log-log slope ${fmt(k, 2)})`;
}

/**
 * `npm run bench -- growth`: how cost grows. videos(first:50) latency against table size (rows
 * bulk-inserted; the response cache off, so the query itself is measured) and the production
 * single-pass ladder's encode time against source duration. Reduced sizes under --quick.
 */
export async function run(opts: BenchOptions): Promise<Section> {
  const sizes = opts.quick ? [1000, 5000] : [1000, 10_000, 100_000];
  const durations = opts.quick ? [4, 8] : [15, 30, 60, 120];
  // Resolution at a fixed duration: each source gets its own production ladder (buildLadder).
  const resolutions = opts.quick ? [[854, 480], [1280, 720]] : [[854, 480], [1280, 720], [1920, 1080], [3840, 2160]];
  const resolutionSeconds = opts.quick ? 3 : 10;
  const rows: Row[] = [];
  const extra: string[] = [];
  const stack = await startStack({ env: { RESPONSE_CACHE_ENABLED: 'false' } });
  const p50s: number[] = [];
  try {
    const { userId } = await signUp(stack.url, 'Growth');
    const repo = stack.api.infra.ds.getRepository(VideoEntity);
    let have = 0;
    extra.push('| videos in the table | p50 | mean | req/s (1 connection) |', '|---|---|---|---|');
    for (const size of sizes) {
      for (; have < size; have += 1000) {
        const now = Date.now();
        await repo.insert(
          Array.from({ length: 1000 }, (_, i) => {
            const id = randomUUID();
            return {
              id, ownerId: userId, title: `growth ${have + i}`, description: null, viewCount: 0, status: VideoStatus.READY,
              visibility: Visibility.PUBLIC, durationSeconds: 3, width: 320, height: 240,
              hlsKey: publicKey(id, 'master.m3u8'), dashKey: publicKey(id, 'manifest.mpd'), poster: [{ key: publicKey(id, 'poster.jpg'), width: 320, height: 240 }],
              createdAt: new Date(now - (have + i) * 1000),
            };
          }),
        );
      }
      await cannon(`${stack.url}/graphql`, 1, { body: PAGE, connections: 1 }); // warm-up
      const lat: number[] = [];
      const mean: number[] = [];
      const rps: number[] = [];
      for (let r = 0; r < opts.rounds; r += 1) {
        const res = await cannon(`${stack.url}/graphql`, opts.quick ? 1 : 3, { body: PAGE, connections: 1 });
        lat.push(res.latency.p50);
        mean.push(res.latency.average);
        rps.push(res.requests.average);
      }
      p50s.push(median(mean));
      extra.push(`| ${fmt(size)} | ${fmt(median(lat))} ms | ${fmt(median(mean), 1)} ms | ${fmt(median(rps))} |`);
      rows.push({ case: `videos(first:50), ${fmt(size)} rows: mean latency`, ...summary(mean, 'ms', 1), baseline: `${fmt(sizes[0])} rows`, ratio: `${fmt(median(mean) / p50s[0], 2)}×` });
    }
  } finally {
    await stack.close();
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-bench-growth-'));
  const times: number[] = [];
  const pixelTimes: number[] = [];
  const encode = async (input: string, out: string, width: number, height: number): Promise<number> => {
    const ladder = buildLadder({ width, height, frameRate: 30, bitrate: null });
    await mkdir(out);
    const t = performance.now();
    await runFfmpeg('ffmpeg', buildEncodeArgs({
      input, outDir: out, rungs: ladder.rungs, frameRate: 30, segmentSeconds: 4, audio: { bitrate: 128_000 },
      preset: 'veryfast', storyboard: null, strict: true, rateControl: { mode: 'capped-crf', crf: 21 },
    }));
    return (performance.now() - t) / 1000;
  };
  try {
    extra.push('', '| source (640×360 30 fps H.264) | single-pass ladder 360/240, veryfast, capped CRF | × realtime |', '|---|---|---|');
    for (const seconds of durations) {
      const clip = await makeClip(path.join(dir, `s${seconds}.mp4`), { size: '640x360', seconds, rate: 30 });
      const samples: number[] = [];
      for (let r = 0; r < (opts.quick ? 1 : 3); r += 1) samples.push(await encode(clip, path.join(dir, `o${seconds}-${r}`), 640, 360));
      times.push(median(samples));
      extra.push(`| ${seconds} s | ${fmt(median(samples), 1)} s (${fmt(Math.min(...samples), 1)}–${fmt(Math.max(...samples), 1)}) | ${fmt(seconds / median(samples), 1)}× |`);
      rows.push({ case: `transcode ${seconds} s source`, ...summary(samples, 's', 1), baseline: `${durations[0]} s source`, ratio: `${fmt(median(samples) / times[0], 2)}×` });
    }
    extra.push('', `| source (${resolutionSeconds} s, 30 fps H.264) | its ladder | single pass, veryfast, capped CRF | wall seconds per video second |`, '|---|---|---|---|');
    for (const [width, height] of resolutions) {
      const clip = await makeClip(path.join(dir, `r${height}.mp4`), { size: `${width}x${height}`, seconds: resolutionSeconds, rate: 30 });
      const took = await encode(clip, path.join(dir, `or${height}`), width, height);
      pixelTimes.push(took);
      const rungs = buildLadder({ width, height, frameRate: 30, bitrate: null }).rungs.map((r) => `${r.height}p`).join(' ');
      extra.push(`| ${width}×${height} | ${rungs} | ${fmt(took, 1)} s | ${fmt(took / resolutionSeconds, 2)} |`);
      rows.push({ case: `transcode ${height}p source (${resolutionSeconds} s)`, ...summary([took], 's', 1), baseline: `${resolutions[0][1]}p source`, ratio: `${fmt(took / pixelTimes[0], 2)}×` });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const pixels = resolutions.map(([w, h]) => w * h);
  return {
    title: 'How cost grows',
    command: `npm run bench -- growth${opts.quick ? ' --quick' : ''}`,
    setup: `videos(first:50) over HTTP with 1 connection, the full-response cache off (the query itself), on tables of ${sizes.map((s) => fmt(s)).join(' / ')} public READY rows (bulk-inserted 1,000 per statement); ${opts.rounds} rounds per size. Transcode: generated 640×360 30 fps H.264 + AAC sources of ${durations.join(' / ')} s, the production single-pass ladder; then ${resolutionSeconds} s sources at ${resolutions.map(([, h]) => `${h}p`).join(' / ')}, each with its own production ladder (1 run each). ${opts.quick ? 'Reduced sizes under --quick (the full run: 1k/10k/100k rows, 15–120 s, 480p–2160p).' : 'The sizes the issue asks.'} Uploads' RSS against size is in the upload section.`,
    rows,
    extra: extra.join('\n'),
    reading: `Page latency against table size: ${slope(sizes, p50s)} — the page is a keyset read on the (status, visibility, created_at) order, so the table size barely matters; 3 statements whatever the size. Transcode time against duration: ${slope(durations, times)}, as it should be for a single pass (plus a fixed start-up of ffmpeg and the muxer, which shows on short clips). Against the source's pixels: ${slope(pixels, pixelTimes)}.`,
  };
}
