import type { Logger } from '../config/logger';
import type { DownloadBuilder } from '../playback/download-builder';
import type { JobHandler } from './job-registry';

/**
 * The `video.download` handler: one rung remuxed into an MP4 (playback/download-builder.ts) under
 * a time limit. Failures are retried with the queue's backoff; the API reports a download that
 * failed for good as FAILED for a while, then queues it again.
 */
export function downloadHandler(deps: { builder: Pick<DownloadBuilder, 'build'>; logger: Logger; timeoutSeconds: number }): JobHandler<'video.download'> {
  return async (job) => {
    const outcome = await deps.builder.build(job.data, AbortSignal.timeout(deps.timeoutSeconds * 1000));
    if (outcome === 'made') deps.logger.info({ videoId: job.data.videoId, height: job.data.height }, 'download made');
    return { outcome };
  };
}
