import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildDecodeCheckArgs, buildProbeArgs } from './input-args';

const run = promisify(execFile);

/** What the platform needs to know about a media file. Dimensions are as stored (before rotation). */
export interface ProbeResult {
  formatName: string;
  duration: number;
  /** Coded dimensions of the video stream, before rotation. */
  width: number;
  height: number;
  /** Clockwise degrees a player must rotate the picture (0, 90, 180, 270). */
  rotation: number;
  /** Dimensions as displayed, rotation applied. */
  displayWidth: number;
  displayHeight: number;
  frameRate: number;
  /** Bits per second of the whole file (container), or null when unknown. */
  bitrate: number | null;
  videoBitrate: number | null;
  videoCodec: string | null;
  videoProfile: string | null;
  pixelFormat: string | null;
  audioCodec: string | null;
  audioChannels: number | null;
  audioSampleRate: number | null;
  hasVideo: boolean;
  hasAudio: boolean;
  /** A single still image (png/jpeg/webp "video" streams), not a moving picture. */
  isStillImage: boolean;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  channels?: number;
  sample_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

const STILL_CODECS = new Set(['png', 'mjpeg', 'webp', 'bmp', 'gif', 'tiff', 'jpeg2000']);
export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

const STILL_FORMATS = /image2|_pipe|png|jpeg|webp|bmp|tiff/;

/**
 * Runs ffprobe on a path or URL (e.g. `storage.presignedGetUrl(key, ttl)`): ffprobe reads only
 * the headers it needs over HTTP range requests, so no local copy is made. Throws ProbeError
 * when ffprobe cannot read the file at all.
 */
export async function probe(ffprobePath: string, input: string, timeoutMs = 60_000): Promise<ProbeResult> {
  try {
    const { stdout } = await run(
      ffprobePath,
      buildProbeArgs(input),
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
    );
    return parseProbe(stdout);
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new ProbeError(firstLine(stderr) ?? 'ffprobe could not read the file');
  }
}

/** Pure: `ffprobe -print_format json -show_format -show_streams` output → ProbeResult. */
export function parseProbe(json: unknown): ProbeResult {
  const raw = (typeof json === 'string' ? JSON.parse(json) : json) as RawProbe | null;
  if (!raw || typeof raw !== 'object' || !raw.format) throw new ProbeError('ffprobe reported no container format');
  const streams = raw.streams ?? [];
  // Cover art in audio files shows up as a one-frame "video" stream; it is not a video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const formatName = raw.format?.format_name ?? '';
  const duration = num(raw.format?.duration) ?? num(video?.duration) ?? num(audio?.duration) ?? 0;
  const rotation = rotationOf(video);
  const width = video?.width ?? 0;
  const height = video?.height ?? 0;
  const swap = rotation === 90 || rotation === 270;
  const isStillImage =
    !!video &&
    (STILL_FORMATS.test(formatName) ||
      (STILL_CODECS.has(video.codec_name ?? '') && (video.nb_frames === '1' || duration === 0 || !audio)));
  return {
    formatName,
    duration,
    width,
    height,
    rotation,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
    frameRate: parseRate(video?.avg_frame_rate) || parseRate(video?.r_frame_rate),
    bitrate: num(raw.format?.bit_rate),
    videoBitrate: num(video?.bit_rate),
    videoCodec: video?.codec_name ?? null,
    videoProfile: video?.profile ?? null,
    pixelFormat: video?.pix_fmt ?? null,
    audioCodec: audio?.codec_name ?? null,
    audioChannels: audio?.channels ?? null,
    audioSampleRate: num(audio?.sample_rate),
    hasVideo: !!video,
    hasAudio: !!audio,
    isStillImage,
  };
}

function num(v: string | undefined): number | null {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** "30000/1001" → 29.97; unknown ("0/0", missing) → 0. */
export function parseRate(v: string | undefined): number {
  if (!v) return 0;
  const [a, b] = v.split('/').map(Number);
  const r = b ? a / b : a;
  return Number.isFinite(r) && r > 0 && r < 1000 ? r : 0;
}

/** Display-matrix rotation (ffprobe reports it counter-clockwise and negative) or the legacy `rotate` tag. */
function rotationOf(stream: RawStream | undefined): number {
  const side = stream?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const deg = side !== undefined ? -side : Number(stream?.tags?.rotate ?? 0);
  const norm = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
  return Number.isFinite(norm) ? norm : 0;
}

/**
 * Decodes the first and the last video frames: catches files whose headers look fine but whose
 * data is missing (a truncated upload with the index at the front) or undecodable.
 */
export async function checkDecodable(ffprobePath: string, input: string, durationSeconds: number | null, timeoutMs = 60_000): Promise<void> {
  const tail = durationSeconds && durationSeconds > 1;
  let stdout: string;
  try {
    ({ stdout } = await run(ffprobePath, buildDecodeCheckArgs(input, durationSeconds), { timeout: timeoutMs, maxBuffer: 1024 * 1024 }));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new ProbeError(firstLine(stderr) ?? 'the video stream could not be decoded');
  }
  const frames = stdout.split('\n').filter((l) => l.trim()).length;
  if (frames < (tail ? 2 : 1)) throw new ProbeError('the video stream has no decodable frames where its index says');
}

function firstLine(s: string | undefined): string | null {
  const line = s?.split('\n').find((l) => l.trim());
  if (!line) return null;
  // A demuxer outside the whitelist (a playlist, a concat list…): say what it is, not how it was refused.
  const refused = /\[([\w,]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(line);
  if (refused) return `unsupported file type (${refused[1]})`;
  // ffprobe prefixes messages with the input URL, which may be a presigned URL, and with the
  // component's address ("[mov @ 0x…]"): keep both out.
  return line
    .replace(/^\S*https?:\/\/\S+:\s*/, '')
    .replace(/^\/\S+:\s*/, '')
    .replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '')
    .slice(0, 200);
}
