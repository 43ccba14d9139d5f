import type { Logger } from '../config/logger';
import { createUploads } from '../app/uploads';
import type { UploadService } from '../videos/upload.service';
import type { WorkerDeps } from '../app/worker-handlers';
import type { JobQueue } from '../jobs/job-queue';

export const UPLOAD_CLEANUP_SCHEDULER_ID = 'uploads-cleanup';

/** Registers (or updates) the repeating cleanup; BullMQ keeps one scheduler per id however many processes call this. */
export async function scheduleUploadCleanup(jobs: JobQueue, everySeconds: number): Promise<void> {
  await jobs.queue.upsertJobScheduler(
    UPLOAD_CLEANUP_SCHEDULER_ID,
    { every: everySeconds * 1000 },
    { name: 'uploads.cleanup', data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
  );
}

/** The job: unfinished uploads past their expiry lose their stored bytes and end FAILED. */
export function uploadCleanupHandler(uploads: UploadService, logger: Logger) {
  return async (): Promise<{ expired: number }> => {
    const expired = await uploads.expireUploads();
    if (expired) logger.info({ expired }, 'removed expired uploads');
    return { expired };
  };
}

/** The handler as handlers.ts wires it: the worker builds its own upload service (no HTTP side). */
export function createUploadCleanupHandler(deps: WorkerDeps) {
  return uploadCleanupHandler(createUploads(deps).service, deps.logger);
}
