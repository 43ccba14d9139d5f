import { runFfmpeg, type RunOptions } from './ffmpeg-runner';
import { keyframeTimes } from './keyframes';
import { checkDecodable, probe, type ProbeResult } from './probe';

/**
 * The media programs the services need, behind one small interface so upload and transcode rules
 * can be unit-tested with a fake. `input` is a path or a URL ffprobe/ffmpeg can read.
 */
export interface MediaTools {
  /** Throws ProbeError when the file cannot be read at all. */
  probe(input: string): Promise<ProbeResult>;
  /** Throws ProbeError when the first or last frame does not decode. */
  checkDecodable(input: string, durationSeconds: number | null): Promise<void>;
  /** One ffmpeg run to completion; throws FfmpegError (aborted when `signal` fired). */
  run(args: string[], opts?: RunOptions): Promise<void>;
  /** Presentation times of the video keyframes, sorted. */
  keyframeTimes(input: string): Promise<number[]>;
}

/** The real programs, at the configured paths. */
export class FfmpegTools implements MediaTools {
  constructor(private readonly paths: { ffmpegPath: string; ffprobePath: string }) {}

  probe(input: string): Promise<ProbeResult> {
    return probe(this.paths.ffprobePath, input);
  }

  checkDecodable(input: string, durationSeconds: number | null): Promise<void> {
    return checkDecodable(this.paths.ffprobePath, input, durationSeconds);
  }

  run(args: string[], opts: RunOptions = {}): Promise<void> {
    return runFfmpeg(this.paths.ffmpegPath, args, opts);
  }

  keyframeTimes(input: string): Promise<number[]> {
    return keyframeTimes(this.paths.ffprobePath, input);
  }
}
