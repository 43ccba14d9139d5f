import { badInput } from '../errors';
import type { StillFormat } from '../media/derived-args';
import { even } from '../media/ladder';

/** The widths thumbnails come in: a fixed set, so each one is cached and shared by every client. */
export const THUMBNAIL_WIDTHS = [160, 320, 640, 1280] as const;

/** Delivery file names of thumbnails and their formats. */
export const THUMBNAIL_FILES: Readonly<Record<string, StillFormat>> = { 'thumbnail.jpg': 'jpeg', 'thumbnail.webp': 'webp' };

export interface ThumbnailQuery {
  time: number;
  width: number;
}

/** `?time=<seconds>&width=<px>` (time defaults to 0, width to 320); BAD_USER_INPUT otherwise. */
export function parseThumbnailQuery(query: Record<string, unknown>): ThumbnailQuery {
  const { time = '0', width = '320' } = query;
  if (typeof time !== 'string' || !/^\d{1,6}(\.\d{1,3})?$/.test(time)) {
    throw badInput('`time` must be seconds from the start, e.g. 12.5', { field: 'time' });
  }
  const w = typeof width === 'string' && /^\d{1,5}$/.test(width) ? Number(width) : NaN;
  if (!(THUMBNAIL_WIDTHS as readonly number[]).includes(w)) {
    throw badInput(`\`width\` must be one of ${THUMBNAIL_WIDTHS.join(', ')}`, { field: 'width', allowed: [...THUMBNAIL_WIDTHS] });
  }
  return { time: Number(time), width: w };
}

const STEPS = [0.5, 1, 2, 5, 10, 15, 30, 60];
const MAX_FRAMES = 2000;

/**
 * Requested times are clamped into the video and rounded to a step, so one video has at most
 * about two thousand distinct frames per width and format to store: 0.5 s up to ~16 minutes,
 * then 1 s, 2 s (an hour), 5 s (two hours)… Returns milliseconds (the cache key's unit).
 */
export function snapTimeMs(time: number, durationSeconds: number): number {
  const duration = Math.max(0, durationSeconds);
  const step = STEPS.find((s) => duration / s <= MAX_FRAMES) ?? STEPS[STEPS.length - 1]!;
  const clamped = Math.min(Math.max(0, time), duration);
  return Math.round(Math.min(Math.round(clamped / step) * step, duration) * 1000);
}

/** The output size from a rung: the requested width (never more than the rung's), height in proportion. */
export function thumbnailSize(rung: { width: number; height: number }, width: number): { width: number; height: number } {
  const w = Math.min(width, rung.width);
  return { width: even(w), height: even((w * rung.height) / rung.width) };
}
