import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbeVideoStream {
  codec: string;
  profile: string | null;
  pixFmt: string | null;
  width: number;
  height: number;
  /** Degrees clockwise the player must rotate (phone footage); 0, 90, 180 or 270. */
  rotation: number;
  frameRate: number | null;
  bitrate: number | null;
}

export interface ProbeAudioStream {
  codec: string;
  channels: number | null;
  sampleRate: number | null;
  bitrate: number | null;
}

/** What the platform needs to know about a media file; null fields were not reported. */
export interface ProbeResult {
  formatName: string;
  durationSeconds: number | null;
  bitrate: number | null;
  sizeBytes: number | null;
  video: ProbeVideoStream | null;
  audio: ProbeAudioStream | null;
  /** Display size after rotation (what a viewer sees). */
  displayWidth: number | null;
  displayHeight: number | null;
}

export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** ffprobe's JSON, only the parts read here; everything is optional because ffprobe omits freely. */
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
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number | string }[];
  disposition?: { attached_pic?: number };
}
interface RawProbe {
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string };
  streams?: RawStream[];
}

const num = (v: string | number | undefined | null): number | null => {
  if (v === undefined || v === null || v === '' || v === 'N/A') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** "30000/1001" → 29.97; "0/0" (unknown) → null. */
export function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [a, b] = rate.split('/').map(Number);
  if (!Number.isFinite(a) || !a) return null;
  if (b === undefined) return a;
  return Number.isFinite(b) && b > 0 ? Math.round((a / b) * 1000) / 1000 : null;
}

function rotationOf(s: RawStream): number {
  const side = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const raw = num(side ?? s.tags?.rotate ?? 0) ?? 0;
  // Display matrices report counter-clockwise as positive; normalise to 0..359 clockwise.
  const cw = side !== undefined ? -raw : raw;
  return ((Math.round(cw / 90) * 90) % 360 + 360) % 360;
}

/** Pure: turns `ffprobe -print_format json -show_format -show_streams` output into a ProbeResult. */
export function parseProbe(json: unknown): ProbeResult {
  const raw = (typeof json === 'string' ? JSON.parse(json) : json) as RawProbe;
  if (!raw || typeof raw !== 'object' || !raw.format) throw new ProbeError('ffprobe reported no container format');
  const streams = raw.streams ?? [];
  // Cover art in audio files shows up as a one-frame "video" stream; it is not a video.
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && s.width && s.height);
  const a = streams.find((s) => s.codec_type === 'audio');
  const video: ProbeVideoStream | null = v
    ? {
        codec: v.codec_name ?? 'unknown',
        profile: v.profile ?? null,
        pixFmt: v.pix_fmt ?? null,
        width: v.width ?? 0,
        height: v.height ?? 0,
        rotation: rotationOf(v),
        frameRate: parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate),
        bitrate: num(v.bit_rate),
      }
    : null;
  const audio: ProbeAudioStream | null = a
    ? { codec: a.codec_name ?? 'unknown', channels: a.channels ?? null, sampleRate: num(a.sample_rate), bitrate: num(a.bit_rate) }
    : null;
  const sideways = video ? video.rotation % 180 !== 0 : false;
  return {
    formatName: raw.format.format_name ?? 'unknown',
    durationSeconds: num(raw.format.duration),
    bitrate: num(raw.format.bit_rate),
    sizeBytes: num(raw.format.size),
    video,
    audio,
    displayWidth: video ? (sideways ? video.height : video.width) : null,
    displayHeight: video ? (sideways ? video.width : video.height) : null,
  };
}

/**
 * Runs ffprobe on a path or URL (e.g. `storage.presignedGetUrl(key, ttl)`): ffprobe reads only
 * the headers it needs over HTTP range requests, so no local copy is made.
 */
export async function probe(ffprobePath: string, input: string, timeoutMs = 60_000): Promise<ProbeResult> {
  try {
    const { stdout } = await run(
      ffprobePath,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
    );
    return parseProbe(stdout);
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new ProbeError(firstLine(stderr) ?? 'ffprobe could not read the file');
  }
}

/**
 * Decodes the first and the last video frames: catches files whose headers look fine but whose
 * data is missing (a truncated upload with the index at the front) or undecodable.
 */
export async function checkDecodable(ffprobePath: string, input: string, durationSeconds: number | null, timeoutMs = 60_000): Promise<void> {
  const tail = durationSeconds && durationSeconds > 1 ? `,${Math.max(0, durationSeconds - 1).toFixed(3)}%+#1` : '';
  let stdout: string;
  try {
    ({ stdout } = await run(
      ffprobePath,
      ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', `%+#1${tail}`, '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', input],
      { timeout: timeoutMs, maxBuffer: 1024 * 1024 },
    ));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new ProbeError(firstLine(stderr) ?? 'the video stream could not be decoded');
  }
  const frames = stdout.split('\n').filter((l) => l.trim()).length;
  if (frames < (tail ? 2 : 1)) throw new ProbeError('the video stream has no decodable frames where its index says');
}

function firstLine(s: string | undefined): string | null {
  const line = s?.split('\n').find((l) => l.trim());
  // ffprobe prefixes messages with the input URL, which may be a presigned URL: keep it out.
  return line ? line.replace(/^\S*https?:\/\/\S+:\s*/, '').replace(/^\/\S+:\s*/, '').slice(0, 200) : null;
}
