import type { VideoProgress } from './progress';

export type ProgressSink = (event: VideoProgress) => Promise<void> | void;

/**
 * Throttles progress for one video: percent ticks go out at most every `intervalMs`; phase
 * changes, per-rung events and final events always go out, in order. While a phase lasts, the
 * last event is repeated every `heartbeatMs` when nothing newer came (a poster pass or a large
 * file being stored reports nothing of its own), so watchers never see more than a second of
 * silence. Sink failures never fail the job (progress is advisory).
 */
export class ProgressReporter {
  private lastSent = 0;
  private lastPhase: string | null = null;
  private last: VideoProgress | null = null;
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
    this.send({ ...event, playable: this.playable }, t);
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves once every accepted event has been handed to the sinks. */
  flush(): Promise<void> {
    return this.chain;
  }

  private send(e: VideoProgress, t: number): void {
    this.lastSent = t;
    this.lastPhase = e.phase;
    this.last = e;
    this.chain = this.chain.then(() => Promise.all(this.sinks.map(async (s) => s(e))).then(() => undefined, () => undefined));
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.heartbeatMs <= 0 || !this.last || this.last.phase === 'DONE') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.last && !this.closed) this.send(this.last, this.now());
    }, this.heartbeatMs);
    this.timer.unref();
  }
}
