import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runFfmpeg, type RunOptions } from './ffmpeg-runner';
import { probeImage, type ImageInfo } from './image-probe';
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
  /** A local JPEG, PNG or WebP file's codec and size; throws ProbeError for anything else. */
  probeImage(file: string): Promise<ImageInfo>;
  /** Whether this ffmpeg build has an encoder (libwebp is optional in some builds). */
  hasEncoder(name: string): Promise<boolean>;
}

/** The real programs, at the configured paths. */
export class FfmpegTools implements MediaTools {
  private encoders: Promise<string> | null = null;

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

  probeImage(file: string): Promise<ImageInfo> {
    return probeImage(this.paths.ffprobePath, file);
  }

  async hasEncoder(name: string): Promise<boolean> {
    // Asked once per process: the build does not change while it runs.
    this.encoders ??= promisify(execFile)(this.paths.ffmpegPath, ['-hide_banner', '-encoders'], { maxBuffer: 4 * 1024 * 1024 }).then(
      (r) => r.stdout,
      () => '',
    );
    return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(await this.encoders);
  }
}
