import type { VideoProgress } from './progress';

export type ProgressSink = (event: VideoProgress) => Promise<void> | void;

/**
 * Throttles progress for one video: percent ticks go out at most every `intervalMs`; phase
 * changes, per-rung events and final events always go out, in order. While a phase lasts, the
 * last event is repeated every `heartbeatMs` when nothing newer came (a poster pass or a large
 * file being stored reports nothing of its own), its ETA counting down, so watchers never see
 * more than a second of silence. Sink failures never fail the job (progress is advisory).
 */
export class ProgressReporter {
  private lastSent = 0;
  private lastPhase: string | null = null;
  /** The last event accepted from `report`, and when: what a heartbeat repeats. */
  private reported: { event: VideoProgress; at: number } | null = null;
  private chain: Promise<void> = Promise.resolve();
  private playable = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly sinks: ProgressSink[],
    private readonly intervalMs = 500,
    private readonly now: () => number = Date.now,
    private readonly heartbeatMs = 1000,
  ) {}

  /** Forced events: phase changes, rungs, READY/FAILED. */
  report(event: VideoProgress, force = false): void {
    if (event.playable) this.playable = true;
    const t = this.now();
    const changed = event.phase !== this.lastPhase;
    if (!force && !changed && t - this.lastSent < this.intervalMs) return;
    const e = { ...event, playable: this.playable };
    this.reported = { event: e, at: t };
    this.send(e, t);
  }

  /**
   * Someone else announces the next event (a lifecycle move): no heartbeat may repeat an older one
   * after it. The next `report` starts the heartbeat again.
   */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** No more events from this attempt: the heartbeat stops. */
  close(): void {
    this.closed = true;
    this.pause();
  }

  /** Resolves once every accepted event has been handed to the sinks. */
  flush(): Promise<void> {
    return this.chain;
  }

  private send(e: VideoProgress, t: number): void {
    this.lastSent = t;
    this.lastPhase = e.phase;
    this.chain = this.chain.then(() => Promise.all(this.sinks.map(async (s) => s(e))).then(() => undefined, () => undefined));
    this.arm();
  }

  private arm(): void {
    this.pause();
    if (this.closed || this.heartbeatMs <= 0 || !this.reported || this.reported.event.phase === 'DONE') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.reported || this.closed) return;
      const t = this.now();
      const { event, at } = this.reported;
      const eta = event.etaSeconds;
      this.send(eta == null ? event : { ...event, etaSeconds: Math.max(1, Math.round(eta - (t - at) / 1000)) }, t);
    }, this.heartbeatMs);
    this.timer.unref();
  }
}
