import type { Logger } from '../config/logger';
import { FfmpegError, runFfmpeg } from '../media/ffmpeg-runner';
import { probe, type ProbeResult } from '../media/probe';
import { percentOf } from '../media/progress-parser';

/** The source cannot be turned into a video: retrying will not help. `message` is shown to the owner. */
export class MediaError extends Error {
  constructor(message: string, readonly code: 'UNSUPPORTED_MEDIA' = 'UNSUPPORTED_MEDIA') {
    super(message);
    this.name = 'MediaError';
  }
}

/** Probes the source and refuses what is not a moving picture, in words the owner understands. */
export async function probeOrFail(ffprobePath: string, file: string): Promise<ProbeResult> {
  let info: ProbeResult;
  try {
    info = await probe(ffprobePath, file);
  } catch {
    throw new MediaError('Unsupported media: the file is not a video we can read');
  }
  if (!info.hasVideo) {
    throw new MediaError(info.hasAudio ? 'Unsupported media: the file has audio but no video' : 'Unsupported media: the file has no video stream');
  }
  if (info.isStillImage) throw new MediaError('Unsupported media: the file is a still image, not a video');
  if (!(info.duration > 0) || !(info.displayWidth > 0)) throw new MediaError('Unsupported media: the video has no duration or picture size');
  return info;
}

/**
 * Runs ffmpeg on a probed source: a failure then means damaged or undecodable media (reported in
 * plain words); an abort (timeout) is passed through as is.
 */
export async function runMedia(
  ffmpegPath: string,
  logger: Logger,
  args: string[],
  ctx: { signal: AbortSignal },
  duration: number,
  onPercent: (pct: number) => void,
): Promise<void> {
  let reached = 0;
  try {
    await runFfmpeg(ffmpegPath, args, {
      signal: ctx.signal,
      onProgress: (p) => {
        reached = Math.max(reached, p.outTimeSeconds);
        if (duration > 0) onPercent(percentOf(p, duration));
      },
    });
  } catch (err) {
    if (err instanceof FfmpegError && !err.aborted) {
      logger.warn({ err: err.message }, 'ffmpeg failed');
      throw new MediaError(`The video is damaged or cannot be decoded (stopped at ${reached.toFixed(1)} s)`);
    }
    throw err;
  }
}
