import { pipeInput } from './ffmpeg-runner';

/**
 * Pure builders of the ffmpeg command lines that make things from published media after the
 * transcode: an MP4 of one rung (downloads), still frames at any time (thumbnails, posters) and
 * posters from an uploaded image. Inputs are pinned: a protocol whitelist and a forced demuxer,
 * so nothing inside the bytes can make ffmpeg open another file, a URL or a different format.
 */

export type StillFormat = 'jpeg' | 'webp';

export interface StillOutput {
  file: string;
  width: number;
  height: number;
  format: StillFormat;
}

const base = ['-hide_banner', '-nostdin', '-y', '-v', 'error'];

/** A rung's CMAF init segment and media segments, concatenated into a pipe: fragmented MP4 and nothing else. */
function fmp4Input(index: number): string[] {
  return ['-protocol_whitelist', 'pipe', '-f', 'mp4', '-i', pipeInput(index)];
}

/**
 * One rung as a single MP4 without re-encoding: input 0 is the video rung, input 1 the audio (when
 * the video has sound). `+faststart` moves the index (moov) before the media (mdat), so players
 * start before the whole file has arrived; it needs a seekable output, hence a file.
 */
export function buildMp4Args(plan: { hasAudio: boolean; output: string }): string[] {
  const args = [...base, ...fmp4Input(0)];
  if (plan.hasAudio) args.push(...fmp4Input(1));
  args.push('-map', '0:v:0');
  if (plan.hasAudio) args.push('-map', '1:a:0');
  args.push('-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', plan.output);
  return args;
}

/**
 * The first frame at or after `offsetSeconds` into the piped segment (timestamps start at the
 * segment's own start), scaled to every output. A segment is a few seconds: decoding it is cheap.
 */
export function buildFrameArgs(plan: { offsetSeconds: number; outputs: StillOutput[] }): string[] {
  const start = Math.max(0, plan.offsetSeconds).toFixed(3);
  return [...base, ...fmp4Input(0), ...stillOutputs(`[0:v:0]trim=start=${start},`, plan.outputs)];
}

/** ffprobe's format names of the images a poster may be made from, by codec. */
export const IMAGE_DEMUXERS: Readonly<Record<string, string>> = { mjpeg: 'jpeg_pipe', png: 'png_pipe', webp: 'webp_pipe' };

/** ffprobe of an uploaded image: only a local file, only the three image demuxers. */
export function buildImageProbeArgs(input: string): string[] {
  return [
    '-v', 'error', '-protocol_whitelist', 'file', '-format_whitelist', Object.values(IMAGE_DEMUXERS).join(','),
    '-print_format', 'json', '-show_entries', 'stream=codec_type,codec_name,width,height:format=format_name,nb_streams', input,
  ];
}

/**
 * An uploaded image decoded in full (any corrupt byte fails it) and scaled to every output; the
 * demuxer is the one the probe found, never guessed again from the bytes.
 */
export function buildImageArgs(plan: { input: string; demuxer: string; outputs: StillOutput[] }): string[] {
  return [
    ...base, '-xerror', '-err_detect', 'explode',
    '-protocol_whitelist', 'file', '-f', plan.demuxer, '-i', plan.input,
    ...stillOutputs('[0:v:0]', plan.outputs),
  ];
}

function stillOutputs(source: string, outputs: StillOutput[]): string[] {
  if (!outputs.length) throw new Error('A still needs at least one output');
  const k = outputs.length;
  const graph = [`${source}setsar=1,split=${k}${outputs.map((_, i) => `[s${i}]`).join('')}`];
  outputs.forEach((o, i) => graph.push(`[s${i}]scale=${o.width}:${o.height}:flags=lanczos[o${i}]`));
  const args = ['-filter_complex', graph.join(';')];
  outputs.forEach((o, i) => {
    args.push('-map', `[o${i}]`, '-frames:v', '1');
    args.push(...(o.format === 'webp' ? ['-c:v', 'libwebp', '-quality', '80'] : ['-c:v', 'mjpeg', '-q:v', '3']));
    args.push('-f', 'image2', '-update', '1', o.file);
  });
  return args;
}
