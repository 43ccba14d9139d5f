import type { Logger } from '../config/logger';

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_REPEAT_AFTER_MS = 10_000;

export interface EdgePurgerOptions {
  /** Base URL of the edge cache's purge listener (EDGE_PURGE_URL); null: no edge, nothing to purge. */
  url: string | null;
  logger: Logger;
  timeoutMs?: number;
  /** When the second BAN of every purge follows the first (EDGE_PURGE_REPEAT_SECONDS; see purgeVideo); 0: none. */
  repeatAfterMs?: number;
}

/**
 * Drops a video's objects from the edge cache (Varnish, deploy/varnish/default.vcl) with one
 * `BAN /videos/<id>/`, so the next request for any of its files goes to the origin and gets the
 * new answer (deleted, private, re-published). Best effort by design: a purge that fails or times
 * out is logged and reported as false, never thrown — the caller's change has already happened,
 * and cached public files expire on their own. The video lifecycle calls it (videos/video-lifecycle.ts).
 */
export class EdgePurger {
  private readonly base: string | null;
  private readonly timeoutMs: number;
  private readonly repeatAfterMs: number;

  constructor(private readonly opts: EdgePurgerOptions) {
    this.base = opts.url ? opts.url.replace(/\/+$/, '') : null;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.repeatAfterMs = opts.repeatAfterMs ?? DEFAULT_REPEAT_AFTER_MS;
  }

  /**
   * True when the edge confirmed the purge; false when there is no edge or it failed (logged).
   * A ban only drops objects already cached, so a response the origin started before the change
   * and the edge stores after the ban (a segment fetch in flight when a video turns private, an
   * old file requested before a re-encode deletes it) would outlive it: the same BAN goes out
   * once more `repeatAfterMs` later, in the background.
   */
  async purgeVideo(videoId: string): Promise<boolean> {
    if (!this.base) return false;
    if (this.repeatAfterMs > 0) setTimeout(() => void this.ban(videoId), this.repeatAfterMs).unref();
    return this.ban(videoId);
  }

  private async ban(videoId: string): Promise<boolean> {
    const path = `/videos/${encodeURIComponent(videoId)}/`;
    try {
      const res = await fetch(`${this.base}${path}`, { method: 'BAN', signal: AbortSignal.timeout(this.timeoutMs) });
      await res.body?.cancel();
      if (res.ok) return true;
      this.opts.logger.warn({ videoId, status: res.status }, 'edge purge refused');
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : String((err as Error).cause ?? err);
      this.opts.logger.warn({ videoId, reason }, 'edge purge failed');
    }
    return false;
  }
}
