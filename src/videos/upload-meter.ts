import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors';

/**
 * Sits between the request body and storage: counts bytes, hashes them (sha256) and stops the
 * stream as soon as the limit is passed, so an oversized upload is never stored whole.
 */
export class UploadMeter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onBytes: (total: number) => void = () => undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      cb(tooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    this.onBytes(this.bytes);
    cb(null, chunk);
  }

  /** Hex digest; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes`, { maxBytes });
}

/**
 * Limits how often progress goes out (pub/sub fan-out is not free): at most one event per
 * interval, and always the final one. `now` is injectable for tests.
 */
export class ProgressThrottle {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when an event may go out now. */
  take(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}

/** Percent of a known total, one decimal; 0 while the total is unknown. */
export function uploadPercent(received: number, total: number | null | undefined): number {
  if (!total || total <= 0) return 0;
  return Math.min(100, Math.floor((received / total) * 1000) / 10);
}
