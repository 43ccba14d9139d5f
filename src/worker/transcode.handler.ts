import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from '../config/logger';
import type { ProgressPublisher, ProgressSnapshots } from '../events/event-bus';
import { attemptStart, JobProgress } from '../events/progress-model';
import { ProgressReporter } from '../events/progress-reporter';
import type { JobPayloads } from '../jobs/job-types';
import type { QueuePositions } from '../videos/queue-positions';
import { MediaError, VideoGoneError, type TranscodeService } from '../videos/transcode.service';
import type { DeletionWatch } from './deletion-watch';

type TranscodeJob = Job<JobPayloads['video.transcode'], unknown, 'video.transcode'>;

export interface TranscodeJobDeps {
  service: TranscodeService;
  events: ProgressPublisher & ProgressSnapshots;
  /** Every job taken moves the waiting ones up. */
  positions: Pick<QueuePositions, 'announce'>;
  logger: Logger;
  timeoutSeconds: number;
  /** Stops the run (ffmpeg included) when the video is deleted, and clears what it wrote. */
  deletions: Pick<DeletionWatch, 'watch' | 'purgeIfDeleted'>;
  /**
   * Aborted when the worker shuts down (SIGTERM): ffmpeg is killed at once and the job goes back
   * to the queue, not counted as a failed attempt, for another worker to take now rather than
   * after a lock timeout.
   */
  shutdown?: AbortSignal;
}

/**
 * The `video.transcode` handler: runs the service under a timeout with progress going to
 * subscribers and to BullMQ, and turns failures into the job's fate — bad media and timeouts
 * fail at once (UnrecoverableError), anything else is retried with backoff and only the last
 * attempt marks the video FAILED. The service writes and announces READY and FAILED.
 */
export function transcodeJobHandler(deps: TranscodeJobDeps) {
  return async (job: TranscodeJob, token?: string): Promise<unknown> => {
    const { videoId } = job.data;
    void deps.positions.announce();
    const reporter = new ProgressReporter([
      (e) => deps.events.publish(e),
      (e) => job.updateProgress({ phase: e.phase, percent: Math.round(e.percent), rendition: e.rendition ?? null, playable: e.playable ?? false }),
    ]);
    const timeout = AbortSignal.timeout(deps.timeoutSeconds * 1000);
    // Attempts lost with their worker (stalled) count too: the next one is a restart all the same.
    const attempt = job.attemptsMade + (job.stalledCounter ?? 0) + 1;
    // Where the last attempt left the bar: this one starts there (RETRY) instead of at zero.
    const last = await Promise.resolve(deps.events.latest(videoId)).catch(() => null);
    const progress = new JobProgress(attemptStart(last, attempt));
    const deleted = deps.deletions.watch(videoId);
    try {
      const signal = AbortSignal.any([timeout, deleted.signal, ...(deps.shutdown ? [deps.shutdown] : [])]);
      const outcome = await deps.service.run(videoId, { reporter, signal, progress, attempt });
      // Not claimed or not published: if the video was deleted meanwhile, nothing of it stays.
      if (outcome === 'SKIPPED') await deps.deletions.purgeIfDeleted(videoId);
      return { outcome };
    } catch (err) {
      if (deleted.signal.aborted || err instanceof VideoGoneError) {
        // Deleted (or failed elsewhere) while processing: nothing to mark or retry; what this attempt wrote goes.
        const purged = await deps.deletions.purgeIfDeleted(videoId);
        deps.logger.info({ videoId, deleted: purged }, 'transcode stopped: the video left PROCESSING');
        return { outcome: purged ? 'DELETED' : 'SKIPPED' };
      }
      if (deps.shutdown?.aborted && token) {
        // The attempt removed its files; the video stays PROCESSING for the next worker's claim.
        await job.moveToWait(token);
        deps.logger.info({ videoId }, 'transcode handed back to the queue: worker shutting down');
        throw new WaitingError();
      }
      const final = finalReason(err, job, timeout, deps.timeoutSeconds);
      if (!final) {
        deps.logger.warn({ videoId, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'transcode attempt failed; will retry');
        throw err;
      }
      // The stored reason is what the owner reads; the error itself (addresses, paths) stays in the log.
      deps.logger.error({ videoId, attempt, err: (err as Error).message }, 'transcode failed');
      await deps.service.fail(videoId, final);
      throw err instanceof MediaError || timeout.aborted ? new UnrecoverableError(final) : err;
    } finally {
      deleted.stop();
    }
  };
}

/** For jobs that die outside the handler (stalled too often): the video must not stay PROCESSING. */
export function onTranscodeJobFailed(deps: Pick<TranscodeJobDeps, 'service' | 'logger'>) {
  return async (job: TranscodeJob | undefined, err: Error): Promise<void> => {
    if (!job || job.name !== 'video.transcode') return;
    const attempts = job.opts.attempts ?? 1;
    const stalled = /stalled/i.test(err.message);
    if (!(job.attemptsMade >= attempts || stalled || err.name === 'UnrecoverableError')) return;
    deps.logger.error({ videoId: job.data.videoId, err: err.message }, 'transcode job failed outside its handler');
    const reason = stalled ? 'Processing stopped: the worker running it was lost too often' : 'Processing failed';
    await deps.service.fail(job.data.videoId, reason).catch((e: unknown) =>
      deps.logger.error({ err: e, videoId: job.data.videoId }, 'could not mark video FAILED'),
    );
  };
}

/** The human-readable reason when this failure is the last one, or null when a retry follows. */
export function finalReason(err: unknown, job: Pick<TranscodeJob, 'attemptsMade' | 'opts'>, timeout: Pick<AbortSignal, 'aborted'>, timeoutSeconds: number): string | null {
  if (err instanceof MediaError) return err.message;
  if (timeout.aborted) return `Processing took longer than ${Math.round(timeoutSeconds / 60)} minutes and was stopped`;
  const attempts = job.opts.attempts ?? 1;
  // Not the error's message: it may name internals (an address, a path), and the owner of any
  // upload reads this. Bad media (MediaError) above has messages written for users.
  if (job.attemptsMade + 1 >= attempts) return `Processing failed after ${attempts} attempts`;
  return null;
}
