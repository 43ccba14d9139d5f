import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the platform needs to know about a source file. Dimensions are as stored (before rotation). */
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
const STILL_FORMATS = /image2|_pipe|png|jpeg|webp|bmp|tiff/;

/** Runs ffprobe on a local path or URL; throws when ffprobe cannot read it at all. */
export async function probe(ffprobePath: string, input: string): Promise<ProbeResult> {
  const { stdout } = await run(
    ffprobePath,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input],
    { maxBuffer: 8 * 1024 * 1024 },
  );
  return parseProbe(JSON.parse(stdout) as RawProbe);
}

/** Pure: ffprobe's JSON → ProbeResult. */
export function parseProbe(json: unknown): ProbeResult {
  const raw = (json ?? {}) as RawProbe;
  const streams = raw.streams ?? [];
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
    frameRate: rate(video?.avg_frame_rate) || rate(video?.r_frame_rate),
    bitrate: num(raw.format?.bit_rate),
    videoBitrate: num(video?.bit_rate),
    videoCodec: video?.codec_name ?? null,
    videoProfile: video?.profile ?? null,
    pixelFormat: video?.pix_fmt ?? null,
    audioCodec: audio?.codec_name ?? null,
    audioChannels: audio?.channels ?? null,
    hasVideo: !!video,
    hasAudio: !!audio,
    isStillImage,
  };
}

function num(v: string | undefined): number | null {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function rate(v: string | undefined): number {
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
