import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildImageProbeArgs, IMAGE_DEMUXERS } from './derived-args';
import { ProbeError } from './probe';

const run = promisify(execFile);

/** A still image as its own bytes describe it (never its name or the MIME type a client sent). */
export interface ImageInfo {
  /** ffprobe's codec: mjpeg, png or webp. */
  codec: string;
  /** The demuxer to decode it with (IMAGE_DEMUXERS). */
  demuxer: string;
  width: number;
  height: number;
}

interface RawImageProbe {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
  format?: { format_name?: string; nb_streams?: number };
}

/** ffprobe restricted to the JPEG, PNG and WebP demuxers; ProbeError for anything else. */
export async function probeImage(ffprobePath: string, file: string, timeoutMs = 20_000): Promise<ImageInfo> {
  let stdout: string;
  try {
    ({ stdout } = await run(ffprobePath, buildImageProbeArgs(file), { timeout: timeoutMs, maxBuffer: 1024 * 1024 }));
  } catch {
    throw new ProbeError('not a JPEG, PNG or WebP image');
  }
  return parseImageProbe(stdout);
}

/** Pure: one picture stream whose codec matches the demuxer that read it. */
export function parseImageProbe(json: string): ImageInfo {
  const raw = JSON.parse(json) as RawImageProbe;
  const streams = raw.streams ?? [];
  const s = streams[0];
  const codec = s?.codec_name ?? '';
  const demuxer = IMAGE_DEMUXERS[codec];
  if (streams.length !== 1 || s?.codec_type !== 'video' || !demuxer || raw.format?.format_name !== demuxer) {
    throw new ProbeError('not a JPEG, PNG or WebP image');
  }
  const width = s.width ?? 0;
  const height = s.height ?? 0;
  if (!(width > 0 && height > 0)) throw new ProbeError('the image has no size');
  return { codec, demuxer, width, height };
}
