/** Playback hints a client may send: a display limit and the data-saver preference. */
export interface PlaybackHints {
  maxHeight?: number | null;
  saveData?: boolean | null;
}

/** What data-saver means: nothing taller than this, whatever the screen. */
export const SAVE_DATA_MAX_HEIGHT = 360;

/**
 * The height limit the hints amount to, given the ladder's heights; null when every rung is fine.
 * Never excludes everything: if all rungs exceed the limit, the smallest rung still plays.
 */
export function effectiveMaxHeight(heights: readonly number[], hints: PlaybackHints): number | null {
  const limits = [hints.maxHeight ?? Infinity, hints.saveData ? SAVE_DATA_MAX_HEIGHT : Infinity];
  const limit = Math.min(...limits);
  if (!heights.length || limit === Infinity) return null;
  if (heights.every((h) => h <= limit)) return null;
  const fitting = heights.filter((h) => h <= limit);
  return fitting.length ? Math.max(...fitting) : Math.min(...heights);
}

/** Whether a rung of `height` is kept under `maxHeight` (null keeps all). */
export function keepsRung(height: number | null | undefined, maxHeight: number | null): boolean {
  return maxHeight === null || height === null || height === undefined || height <= maxHeight;
}

/**
 * The rung a picture `width` pixels wide is best taken from: the narrowest one at least that wide
 * (no upscaling, no decoding more pixels than needed), else the widest there is.
 */
export function rungForWidth<R extends { width: number }>(rungs: readonly R[], width: number): R | null {
  const byWidth = [...rungs].sort((a, b) => a.width - b.width);
  return byWidth.find((r) => r.width >= width) ?? byWidth[byWidth.length - 1] ?? null;
}
