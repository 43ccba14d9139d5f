import type { Logger } from '../config/logger';

const DEFAULT_TIMEOUT_MS = 2000;

export interface EdgePurgerOptions {
  /** Base URL of the edge cache's purge listener (EDGE_PURGE_URL); null: no edge, nothing to purge. */
  purgeUrl: string | null;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * Drops a video's objects from the edge cache (Varnish, deploy/varnish/default.vcl) with one
 * `BAN /videos/<id>/`, so the next request for any of its files goes to the origin and gets the
 * new answer (deleted, private, re-published). Best effort by design: a purge that fails or times
 * out is logged and reported as false, never thrown — the caller's change has already happened,
 * and cached public files expire on their own.
 */
export class EdgePurger {
  private readonly base: string | null;
  private readonly timeoutMs: number;

  constructor(private readonly opts: EdgePurgerOptions) {
    this.base = opts.purgeUrl ? opts.purgeUrl.replace(/\/+$/, '') : null;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get enabled(): boolean {
    return this.base !== null;
  }

  /** True when the edge confirmed the purge; false when there is no edge or it failed (logged). */
  async purgeVideo(videoId: string): Promise<boolean> {
    if (!this.base) return false;
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
