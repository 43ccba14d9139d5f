import type { Logger } from '../config/logger';
import type { JobQueue } from '../jobs/job-queue';
import type { UploadService } from '../videos/upload.service';

export const UPLOAD_CLEANUP_SCHEDULER_ID = 'uploads-cleanup';

/** Registers (or updates) the repeating cleanup. */
export function scheduleUploadCleanup(jobs: JobQueue, everySeconds: number): Promise<void> {
  return jobs.schedule(UPLOAD_CLEANUP_SCHEDULER_ID, 'uploads.cleanup', everySeconds, {});
}

/**
 * The job: unfinished uploads past their expiry lose their stored bytes and end FAILED; validated
 * (QUEUED) uploads whose transcode job could not be enqueued get it.
 */
export function uploadCleanupHandler(uploads: Pick<UploadService, 'expireUploads' | 'requeueQueued'>, logger: Logger) {
  return async (): Promise<{ expired: number; queued: number }> => {
    const expired = await uploads.expireUploads();
    if (expired) logger.info({ expired }, 'removed expired uploads');
    const queued = await uploads.requeueQueued();
    return { expired, queued };
  };
}
