import type { ProgressPhase } from './progress';

/**
 * What `percent` means: the whole job, from the first upload byte to READY, never decreasing.
 * Each phase owns a span of it, and `phasePercent` (0..100 within the phase) maps onto that span.
 * Processing a video (probe to publish) takes the most: the spans follow where the time goes on
 * a typical upload (the encode dominates). Pure: no clock but the one passed in.
 */
/** The phases with a span of their own (RETRY keeps the percent reached). */
export type SpanPhase = Exclude<ProgressPhase, 'RETRY'>;

export const PHASE_SPANS: Readonly<Record<SpanPhase, readonly [number, number]>> = {
  UPLOAD: [0, 20],
  QUEUED: [20, 20],
  PROBE: [20, 23],
  TRANSCODE: [23, 90],
  THUMBNAILS: [90, 94],
  PUBLISH: [94, 99],
  DONE: [100, 100],
};

/** Within TRANSCODE: the quick playable version takes the first tenth, the ladder the rest. */
export const QUICK_SHARE = 10;

/**
 * Within THUMBNAILS, the phasePercent at the end of each step: the poster pass (a decode of a window
 * of the source, both sizes written at its end: most of the phase), the storyboard sheet (tiling the
 * small frames the ladder pass wrote) and its WebVTT index. ffmpeg cannot measure inside these
 * passes (the thumbnail and tile filters hold their one output frame to the end, and `-progress`
 * reports nothing until then), so the phase moves step by step; the heartbeat covers each step.
 */
export const THUMBNAIL_STEPS = { poster: 75, sheet: 95, index: 100 } as const;
export type ThumbnailStep = keyof typeof THUMBNAIL_STEPS;

/** Where a new attempt starts again: the probe. */
export const RESTART_PHASE: SpanPhase = 'PROBE';

/**
 * The stages after the encode (poster, storyboard sheet, storing every file) grow with the media's
 * length, not with the encoder's speed: estimated at a few seconds plus this much per media second
 * until PUBLISH measures its own rate (30 s 1080p on a busy 2-core machine: 4-7 s).
 */
export const TAIL_FIXED_SECONDS = 3;
export const TAIL_PER_MEDIA_SECOND = 0.1;

/**
 * The encoder's speed over this much recent wall time: ffmpeg's own `speed=` is the average since
 * it started, which lags behind (the first seconds fill encoder look-ahead and output nothing) and
 * takes minutes to follow a change of load; it is used until the window holds enough.
 */
export const SPEED_WINDOW_MS = 10_000;
const MIN_WINDOW_MS = 3_000;

export const round1 = (n: number): number => Math.round(n * 10) / 10;
const clamp = (n: number, lo = 0, hi = 100): number => Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));

/** The whole-job percent of a position in a phase (RETRY has no span: it keeps the percent reached). */
export function jobPercent(phase: SpanPhase, phasePercent: number): number {
  const [from, to] = PHASE_SPANS[phase];
  return round1(from + ((to - from) * clamp(phasePercent)) / 100);
}

/** How an attempt starts, from the last progress anyone saw of the video. */
export interface AttemptStart {
  /** The percent already shown; this attempt never goes below it. */
  floor: number;
  /** A run was under way (a lost worker, a failed attempt): this one says RETRY first. */
  restarted: boolean;
  /** The previous job had finished (a re-encode): the stored percent is no floor. */
  reset: boolean;
}

export function attemptStart(last: { status: string; percent: number } | null, attempt: number): AttemptStart {
  const finished = last?.status === 'READY' || last?.status === 'FAILED';
  if (!last || finished) return { floor: 0, restarted: attempt > 1, reset: finished };
  const restarted = last.status === 'PROCESSING' || attempt > 1;
  return { floor: restarted ? clamp(last.percent) : 0, restarted, reset: false };
}

/**
 * One attempt's percent and ETA. After a restart the remaining work (probe to READY) is spread
 * over what is left above the floor, so the bar keeps moving instead of waiting for the new
 * attempt to catch up; and no percent given out is ever followed by a smaller one.
 */
export class JobProgress {
  private last = 0;
  private encode: { remaining: number; tail: number } | null = null;
  private readonly samples: { at: number; out: number }[] = [];
  private tailExpected: number | null = null;
  private readonly started = new Map<ProgressPhase, number>();

  constructor(
    readonly start: AttemptStart,
    private readonly now: () => number = Date.now,
  ) {
    this.last = start.floor;
  }

  /** The whole-job percent for this position. */
  percent(phase: SpanPhase, phasePercent: number): number {
    if (!this.started.has(phase)) this.started.set(phase, this.now());
    const raw = jobPercent(phase, phasePercent);
    const restartAt = PHASE_SPANS[RESTART_PHASE][0];
    const floor = this.start.floor;
    const scaled = floor > restartAt && phase !== 'DONE' ? floor + ((100 - floor) * Math.max(0, raw - restartAt)) / (100 - restartAt) : raw;
    this.last = Math.max(this.last, clamp(scaled));
    return round1(this.last);
  }

  /** The ladder encode's measure: media seconds done of `duration`; ffmpeg's `speed` (× real time) as reported. */
  encodeTick(outTimeSeconds: number, durationSeconds: number, speed: number | null): void {
    const now = this.now();
    this.samples.push({ at: now, out: outTimeSeconds });
    while (this.samples.length > 2 && now - this.samples[1].at >= SPEED_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const span = now - first.at;
    const windowed = span >= MIN_WINDOW_MS && outTimeSeconds > first.out ? (outTimeSeconds - first.out) / (span / 1000) : null;
    const rate = windowed ?? speed;
    if (!(rate && rate > 0 && durationSeconds > 0)) return;
    this.tailExpected = TAIL_FIXED_SECONDS + TAIL_PER_MEDIA_SECOND * durationSeconds;
    this.encode = { remaining: Math.max(0, durationSeconds - outTimeSeconds) / rate, tail: this.tailExpected };
  }

  /** Seconds to READY, or null while nothing measured says it yet (before the ladder reports a speed). */
  eta(phase: ProgressPhase, phasePercent: number): number | null {
    const since = (p: ProgressPhase) => (this.now() - (this.started.get(p) ?? this.now())) / 1000;
    switch (phase) {
      case 'TRANSCODE':
        return this.encode ? Math.round(this.encode.remaining + this.encode.tail) : null;
      case 'THUMBNAILS':
        return this.tailExpected === null ? null : Math.max(1, Math.round(this.tailExpected - since('THUMBNAILS')));
      case 'PUBLISH': {
        if (phasePercent >= 5) return Math.max(1, Math.round((since('PUBLISH') * (100 - phasePercent)) / phasePercent));
        return this.tailExpected === null ? null : Math.max(1, Math.round(this.tailExpected - since('THUMBNAILS')));
      }
      case 'DONE':
        return 0;
      default:
        return null;
    }
  }
}
