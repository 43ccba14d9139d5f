/** The rung heights (the short side for portrait video), largest first. */
export const RUNG_HEIGHTS = [2160, 1440, 1080, 720, 480, 360, 240] as const;

/** Bits per pixel per frame at each rung: small pictures need more bits per pixel to look right. */
const BITS_PER_PIXEL: Record<number, number> = { 2160: 0.05, 1440: 0.06, 1080: 0.07, 720: 0.08, 480: 0.09, 360: 0.1, 240: 0.12 };
const MAX_FPS = 60;
const MIN_VIDEO_BITRATE = 150_000;

export interface LadderSource {
  /** Displayed dimensions (rotation already applied). */
  width: number;
  height: number;
  frameRate: number;
  /** Source bits per second (video stream, or whole file when unknown); null when unknown. */
  bitrate: number | null;
}

export interface Rung {
  /** The rung's nominal size: the short side (height for landscape, width for portrait). */
  name: number;
  width: number;
  height: number;
  frameRate: number;
  /** Target video bits per second. */
  videoBitrate: number;
  /** Peak (VBV maxrate) bits per second. */
  maxBitrate: number;
}

/**
 * How each rung spends bits. `fixed`: an average bitrate per rung (ABR with a VBV peak), whatever
 * the picture. `capped-crf`: constant quality (CRF) with the rung's table bitrate as a VBV ceiling,
 * as per-title encoders do: easy pictures (slides, talking heads) take far fewer bytes at the same
 * quality, hard ones are held to what the fixed ladder would have spent on average.
 */
export type RateControl = { mode: 'fixed' } | { mode: 'capped-crf'; crf: number };

/** The setting's two words (TRANSCODE_RATE_CONTROL, TRANSCODE_CRF) as a RateControl. */
export function rateControlOf(mode: 'capped-crf' | 'fixed', crf: number): RateControl {
  return mode === 'fixed' ? { mode: 'fixed' } : { mode: 'capped-crf', crf };
}

export interface RungRate {
  /** Constant quality; null in fixed mode. */
  crf: number | null;
  /** Average target (fixed mode only). */
  bitrate: number | null;
  maxrate: number;
  bufsize: number;
}

/**
 * Pure: the rate settings for one rung. Capped CRF uses the table's average bitrate as the
 * ceiling, with one second of buffer: hard content then costs what the fixed ladder costs (within
 * the VBV's buffer), and a 4-second segment's peak stays near the ceiling, which is what players
 * switch on.
 */
export function rungRate(r: Pick<Rung, 'videoBitrate' | 'maxBitrate'>, rc: RateControl): RungRate {
  if (rc.mode === 'capped-crf') return { crf: rc.crf, bitrate: null, maxrate: r.videoBitrate, bufsize: r.videoBitrate };
  return { crf: null, bitrate: r.videoBitrate, maxrate: r.maxBitrate, bufsize: r.maxBitrate * 2 };
}

export interface Ladder {
  frameRate: number;
  rungs: Rung[];
}

export const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);
/** Even and never above n (no upscaling by a rounding pixel). */
const evenDown = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/**
 * Pure: the encoding ladder for a source. Never upscales, always at least one rung (the source's
 * own size, rounded to even, when it is smaller than the smallest rung), frame rate capped at 60,
 * bitrates from bits-per-pixel capped by the source's own bitrate.
 */
export function buildLadder(src: LadderSource): Ladder {
  if (!(src.width > 0 && src.height > 0)) throw new Error('A ladder needs the source dimensions');
  const frameRate = capFrameRate(src.frameRate);
  const portrait = src.height > src.width;
  const short = portrait ? src.width : src.height;
  const long = portrait ? src.height : src.width;
  const fitting = RUNG_HEIGHTS.filter((h) => h <= short);
  const sizes = fitting.length ? [...fitting] : [short];
  const rungs = sizes.map((s): Rung => {
    const shortSide = Math.min(even(s), evenDown(short));
    const longSide = Math.min(even((long * shortSide) / short), evenDown(long));
    const width = portrait ? shortSide : longSide;
    const height = portrait ? longSide : shortSide;
    const bpp = BITS_PER_PIXEL[s] ?? BITS_PER_PIXEL[240];
    let videoBitrate = Math.round(width * height * frameRate * bpp);
    // More bits than the source had buys nothing; keep a floor so tiny rungs stay watchable.
    if (src.bitrate) videoBitrate = Math.min(videoBitrate, src.bitrate);
    videoBitrate = Math.max(MIN_VIDEO_BITRATE, Math.round(videoBitrate / 1000) * 1000);
    return { name: s, width, height, frameRate, videoBitrate, maxBitrate: Math.round(videoBitrate * 1.5) };
  });
  return { frameRate, rungs };
}

/** Caps at 60 by halving (keeps cadence: 120 → 60, 100 → 50), defaulting unknown rates to 30. */
export function capFrameRate(fps: number): number {
  if (!(fps > 0)) return 30;
  let r = fps;
  while (r > MAX_FPS) r /= 2;
  return Math.round(r * 1000) / 1000;
}
