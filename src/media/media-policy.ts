import { SOURCE_CONTAINERS } from './file-types';
import type { ProbeResult } from './probe';

/**
 * Which uploads the platform accepts: containers and codecs ffmpeg decodes reliably and that
 * people actually record or export. Names are ffprobe's (`format_name` is a comma list).
 */
export const ALLOWED_CONTAINERS = SOURCE_CONTAINERS;
export const ALLOWED_VIDEO_CODECS = ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'mpeg2video', 'mpeg1video', 'prores', 'dnxhd', 'theora', 'mjpeg', 'h263', 'wmv3', 'vc1'] as const;
export const ALLOWED_AUDIO_CODECS = ['aac', 'mp3', 'opus', 'vorbis', 'ac3', 'eac3', 'flac', 'alac', 'mp2', 'pcm_s16le', 'pcm_s24le', 'pcm_s16be', 'pcm_f32le', 'amr_nb', 'wmav2'] as const;

export const MAX_DIMENSION = 8192;
export const MAX_DURATION_SECONDS = 12 * 3600;

export type MediaVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The one acceptance check, run on the stored upload before it is queued and again by the worker
 * on the file it is about to transcode. Pure; the reason is shown to the uploader.
 */
export function checkMedia(p: ProbeResult): MediaVerdict {
  // Still images first: their containers (png_pipe, image2…) would otherwise get the vaguer file-type reason.
  if (p.isStillImage) return { ok: false, reason: 'Unsupported media: the file is a still image, not a video' };
  const containers = p.formatName.split(',');
  if (!containers.some((c) => (ALLOWED_CONTAINERS as readonly string[]).includes(c))) {
    return { ok: false, reason: `Unsupported file type (${p.formatName}); upload a video such as MP4, MOV, MKV or WebM` };
  }
  if (!p.hasVideo || !p.videoCodec) {
    return { ok: false, reason: p.hasAudio ? 'Unsupported media: the file has audio but no video' : 'Unsupported media: the file has no video stream' };
  }
  if (!(ALLOWED_VIDEO_CODECS as readonly string[]).includes(p.videoCodec)) {
    return { ok: false, reason: `Unsupported video codec ${p.videoCodec}` };
  }
  if (p.hasAudio && !(ALLOWED_AUDIO_CODECS as readonly string[]).includes(p.audioCodec ?? '')) {
    return { ok: false, reason: `Unsupported audio codec ${p.audioCodec}` };
  }
  if (p.width < 16 || p.height < 16 || p.width > MAX_DIMENSION || p.height > MAX_DIMENSION) {
    return { ok: false, reason: `Unsupported frame size ${p.width}x${p.height}` };
  }
  if (!(p.duration > 0)) return { ok: false, reason: 'Unsupported media: the video has no duration' };
  if (p.duration > MAX_DURATION_SECONDS) return { ok: false, reason: 'Unsupported media: the video is longer than 12 hours' };
  return { ok: true };
}

/** The source cannot be turned into a video: retrying will not help. `message` is shown to the owner. */
export class MediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaError';
  }
}
