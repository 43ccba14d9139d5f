/** One block of ffmpeg's `-progress` output (key=value lines ending with `progress=continue|end`). */
export interface FfmpegProgress {
  /** Seconds of output written so far. */
  outTimeSeconds: number;
  /** Encoding speed as a multiple of real time, when ffmpeg reports one. */
  speed: number | null;
  done: boolean;
}

/**
 * Pure and incremental: feed it chunks as they arrive; it returns the blocks completed by this
 * chunk. Lines may be split across chunks.
 */
export class ProgressParser {
  private rest = '';
  private block = new Map<string, string>();

  push(chunk: string): FfmpegProgress[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    const out: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      if (key !== 'progress') {
        this.block.set(key, value);
        continue;
      }
      out.push(toProgress(this.block, value === 'end'));
      this.block = new Map();
    }
    return out;
  }
}

function toProgress(block: Map<string, string>, done: boolean): FfmpegProgress {
  // out_time_us is microseconds; out_time_ms is (despite its name) also microseconds in ffmpeg.
  const us = Number(block.get('out_time_us') ?? block.get('out_time_ms'));
  const speed = Number.parseFloat((block.get('speed') ?? '').replace(/x$/, ''));
  return {
    outTimeSeconds: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
    speed: Number.isFinite(speed) && speed > 0 ? speed : null,
    done,
  };
}

/** Percent of `duration` covered, clamped to 0..100. */
export function percentOf(p: FfmpegProgress, durationSeconds: number): number {
  if (p.done) return 100;
  if (!(durationSeconds > 0)) return 0;
  return Math.max(0, Math.min(100, (p.outTimeSeconds / durationSeconds) * 100));
}
