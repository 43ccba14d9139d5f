import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildEncodeArgs, type EncodePlan } from '../src/media/ffmpeg-args';
import { runFfmpeg } from '../src/media/ffmpeg-runner';
import { keyframesAligned, keyframeTimes } from '../src/media/keyframes';
import { buildLadder } from '../src/media/ladder';
import { canCopyTopRung } from '../src/media/outputs';
import { probe } from '../src/media/probe';
import { startStack } from '../test/helpers/env';
import { collect, signUp, wsClient } from '../test/helpers/graphql';
import { enqueue, makeClip, queueVideo, waitForJob } from '../test/helpers/media';

/**
 * Single-pass ladder (decode once, split + scale, every rung in one process) against the common
 * design (one ffmpeg process per rung, run one after another), on a generated H.264 clip; plus
 * the whole job through a real worker: time from upload complete (enqueued) to first playable
 * and to READY. BENCH_SECONDS (default 60) and BENCH_SIZE (default 1920x1080) set the clip;
 * BENCH_ONLY=encoders|job runs one half.
 */
export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const size = process.env.BENCH_SIZE ?? '1920x1080';
  const preset = process.env.TRANSCODE_PRESET ?? 'veryfast';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-bench-'));
  try {
    // A web-ready upload: 2-second GOPs and a bitrate within the 1080p rung, so the top rung may be copied.
    const clip = await makeClip(path.join(dir, 'source.mp4'), { size, seconds, rate: 30, extra: ['-g', '60', '-sc_threshold', '0', '-b:v', '4M', '-maxrate', '5M', '-bufsize', '10M'] });
    const info = await probe('ffprobe', clip);
    const ladder = buildLadder({ width: info.displayWidth, height: info.displayHeight, frameRate: info.frameRate, bitrate: info.videoBitrate });
    const base = (out: string): EncodePlan => ({
      input: clip, outDir: out, rungs: ladder.rungs, frameRate: ladder.frameRate, segmentSeconds: 4,
      audio: { bitrate: 128_000 }, preset, storyboard: null, strict: true, rateControl: { mode: 'fixed' },
    });
    const out = async (name: string) => {
      const d = path.join(dir, name);
      await mkdir(d, { recursive: true });
      return d;
    };
    const time = async (fn: () => Promise<void>) => {
      const t = performance.now();
      await fn();
      return (performance.now() - t) / 1000;
    };
    say(`clip ${size} ${seconds}s 30fps H.264, ladder ${ladder.rungs.map((r) => r.name).join('/')}, preset ${preset}, ${os.cpus().length} cores`);

    const only = process.env.BENCH_ONLY;
    if (only !== 'job') {
      const perRung = await time(async () => {
        for (const [i, r] of ladder.rungs.entries()) {
          // The common design: each rung decodes the source again; audio encoded once, with the first.
          await runFfmpeg('ffmpeg', buildEncodeArgs({ ...base(await out(`rung${r.name}`)), rungs: [r], audio: i === 0 ? base('').audio : null }));
        }
      });
      const single = await time(async () => runFfmpeg('ffmpeg', buildEncodeArgs(base(await out('single')))));
      const copyable =
        canCopyTopRung(info, { ...ladder.rungs[0], frameRate: ladder.frameRate }) &&
        keyframesAligned(await keyframeTimes('ffprobe', clip), info.duration, 4, ladder.frameRate);
      const singleCopy = copyable ? await time(async () => runFfmpeg('ffmpeg', buildEncodeArgs({ ...base(await out('copy')), copyTopRung: true }))) : NaN;
      // Encode-only bound: the same single pass with the muxer replaced by a null sink (no packaging, no disk).
      const boundArgs = buildEncodeArgs(base(await out('bound')));
      const fIdx = boundArgs.indexOf('-f');
      const bound = await time(() => runFfmpeg('ffmpeg', [...boundArgs.slice(0, fIdx), '-f', 'null', '-']));
      const decode = await time(() => runFfmpeg('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'null', '-']));

      say(`per-rung processes : ${perRung.toFixed(1)} s  (${(seconds / perRung).toFixed(2)}x realtime)`);
      say(`single pass        : ${single.toFixed(1)} s  (${(seconds / single).toFixed(2)}x realtime)`);
      say(`single pass, top rung copied : ${copyable ? `${singleCopy.toFixed(1)} s  (${(seconds / singleCopy).toFixed(2)}x realtime)` : 'n/a (source does not qualify)'}`);
      say(`encode-only bound  : ${bound.toFixed(1)} s  (${(seconds / bound).toFixed(2)}x realtime)`);
      say(`decode only        : ${decode.toFixed(1)} s  (${(seconds / decode).toFixed(2)}x realtime)`);
      say(`speed-up single pass vs per rung : ${(perRung / single).toFixed(2)}x`);
      if (copyable) say(`speed-up single pass + top-rung copy vs per rung : ${(perRung / singleCopy).toFixed(2)}x`);
      say(`single pass / encode-only bound  : ${(single / bound).toFixed(2)}x`);

    }
    if (only === 'encoders') return;
    const stack = await startStack({ worker: true, env: { TRANSCODE_PRESET: preset } });
    try {
      const owner = await signUp(stack.url);
      const id = await queueVideo(stack, owner.userId, clip, { enqueue: false });
      const client = wsClient(stack.url, owner.token);
      let playableAt = 0;
      const sub = collect<{ videoProgress: { status: string; playable: boolean } }>(
        client,
        'subscription($id:ID!){ videoProgress(videoId:$id){ status playable } }',
        { id },
        (e) => {
          if (e.videoProgress.playable && !playableAt) playableAt = performance.now();
          return e.videoProgress.status === 'READY' || e.videoProgress.status === 'FAILED';
        },
        30 * 60_000,
      );
      await sub.ready;
      const start = performance.now();
      await enqueue(stack, id);
      const events = await sub.done;
      const readyAt = performance.now();
      await waitForJob(stack, id);
      await client.dispose();
      say(`job end to end: first playable after ${((playableAt - start) / 1000).toFixed(1)} s, ${events.at(-1)!.videoProgress.status} after ${((readyAt - start) / 1000).toFixed(1)} s (${(seconds / ((readyAt - start) / 1000)).toFixed(2)}x realtime incl. storage, poster, storyboard)`);
    } finally {
      await stack.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
