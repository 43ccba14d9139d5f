import type { VideoProgress } from './progress';

export type ProgressSink = (event: VideoProgress) => Promise<void> | void;

/**
 * Throttles progress for one video: percent ticks go out at most every `intervalMs`; phase
 * changes, per-rung events and final events always go out, in order. Sink failures never
 * fail the job (progress is advisory).
 */
export class ProgressReporter {
  private lastSent = 0;
  private lastPhase: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private playable = false;

  constructor(
    private readonly sinks: ProgressSink[],
    private readonly intervalMs = 500,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forced events: phase changes, rungs, READY/FAILED. */
  report(event: VideoProgress, force = false): void {
    if (event.playable) this.playable = true;
    const t = this.now();
    const changed = event.phase !== this.lastPhase;
    if (!force && !changed && t - this.lastSent < this.intervalMs) return;
    this.lastSent = t;
    this.lastPhase = event.phase;
    const e: VideoProgress = { ...event, playable: this.playable };
    this.chain = this.chain.then(() => Promise.all(this.sinks.map(async (s) => s(e))).then(() => undefined, () => undefined));
  }

  /** Resolves once every accepted event has been handed to the sinks. */
  flush(): Promise<void> {
    return this.chain;
  }
}
