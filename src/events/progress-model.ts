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

/** Where a new attempt starts again: the probe. */
export const RESTART_PHASE: SpanPhase = 'PROBE';

/**
 * The stages after the encode (poster, storyboard sheet, storing every file) are estimated at this
 * share of the encode's own duration until PUBLISH measures its rate (30 s 1080p: ~0.2).
 */
export const TAIL_SHARE = 0.2;

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

  /** The ladder encode's measure: media seconds done of `duration`, at `speed` × real time. */
  encodeTick(outTimeSeconds: number, durationSeconds: number, speed: number | null): void {
    if (!(speed && speed > 0 && durationSeconds > 0)) return;
    const wall = durationSeconds / speed;
    this.encode = { remaining: Math.max(0, durationSeconds - outTimeSeconds) / speed, tail: Math.max(1, TAIL_SHARE * wall) };
    this.tailExpected = this.encode.tail;
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
