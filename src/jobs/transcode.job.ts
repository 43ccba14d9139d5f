import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../config/logger';
import { Topic, type AppPubSub } from '../graphql/pubsub';
import { ProgressReporter } from '../videos/progress-reporter';
import { MediaError, type TranscodeService } from '../videos/transcode.service';
import { VideoStatus } from '../videos/video-status';
import { WebhookEvent, type VideoEvents } from '../webhooks/webhook-events';
import type { JobPayloads } from './job-types';

type TranscodeJob = Job<JobPayloads['video.transcode'], unknown, 'video.transcode'>;

export interface TranscodeJobDeps {
  service: TranscodeService;
  pubSub: AppPubSub;
  events: VideoEvents;
  logger: Logger;
  timeoutSeconds: number;
}

/**
 * The `video.transcode` handler: runs the service under a timeout, relays progress to
 * subscribers and to BullMQ, and turns failures into the job's fate — bad media and timeouts
 * fail at once (UnrecoverableError), anything else is retried with backoff and only the last
 * attempt marks the video FAILED.
 */
export function transcodeJobHandler(deps: TranscodeJobDeps) {
  return async (job: TranscodeJob): Promise<unknown> => {
    const { videoId } = job.data;
    const reporter = new ProgressReporter([
      (e) => deps.pubSub.publish(Topic.VideoProgress, videoId, e),
      (e) => job.updateProgress({ phase: e.phase, percent: Math.round(e.percent), rendition: e.rendition ?? null }),
    ]);
    const timeout = AbortSignal.timeout(deps.timeoutSeconds * 1000);
    try {
      const outcome = await deps.service.run(videoId, { reporter, signal: timeout });
      if (outcome === 'READY') {
        reporter.report({ videoId, status: VideoStatus.READY, phase: 'DONE', percent: 100 }, true);
        await deps.events.emit(WebhookEvent.VIDEO_READY, videoId);
      }
      await reporter.flush();
      return { outcome };
    } catch (err) {
      const final = finalReason(err, job, timeout, deps.timeoutSeconds);
      if (final) {
        await failVideo(deps, videoId, final, reporter);
        throw err instanceof MediaError || timeout.aborted ? new UnrecoverableError(final) : err;
      }
      deps.logger.warn({ videoId, attempt: job.attemptsMade + 1, err: (err as Error).message }, 'transcode attempt failed; will retry');
      await reporter.flush();
      throw err;
    }
  };
}

/** For jobs that die outside the handler (stalled too often): the video must not stay PROCESSING. */
export function onTranscodeJobFailed(deps: Pick<TranscodeJobDeps, 'service' | 'pubSub' | 'events' | 'logger'>) {
  return async (job: TranscodeJob | undefined, err: Error): Promise<void> => {
    if (!job || job.name !== 'video.transcode') return;
    const attempts = job.opts.attempts ?? 1;
    const exhausted = job.attemptsMade >= attempts || /stalled/i.test(err.message) || err.name === 'UnrecoverableError';
    if (!exhausted) return;
    const reporter = new ProgressReporter([(e) => deps.pubSub.publish(Topic.VideoProgress, job.data.videoId, e)]);
    await failVideo(deps, job.data.videoId, `Processing failed: ${err.message}`, reporter).catch((e: unknown) =>
      deps.logger.error({ err: e, videoId: job.data.videoId }, 'could not mark video FAILED'),
    );
  };
}

async function failVideo(deps: Pick<TranscodeJobDeps, 'service' | 'events'>, videoId: string, reason: string, reporter: ProgressReporter): Promise<void> {
  if (await deps.service.fail(videoId, reason)) {
    reporter.report({ videoId, status: VideoStatus.FAILED, phase: 'DONE', percent: 100, message: reason }, true);
    await deps.events.emit(WebhookEvent.VIDEO_FAILED, videoId);
  }
  await reporter.flush();
}

/** The human-readable reason when this failure is the last one, or null when a retry follows. */
export function finalReason(err: unknown, job: Pick<TranscodeJob, 'attemptsMade' | 'opts'>, timeout: Pick<AbortSignal, 'aborted'>, timeoutSeconds: number): string | null {
  if (err instanceof MediaError) return err.message;
  if (timeout.aborted) return `Processing took longer than ${Math.round(timeoutSeconds / 60)} minutes and was stopped`;
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) return `Processing failed after ${attempts} attempts: ${(err as Error).message}`;
  return null;
}
