import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import type { JobQueue } from '../jobs/job-queue';
import type { ObjectStorage } from '../storage/storage';
import { deleteVideoObjects, listVideoObjects } from '../storage/video-objects';
import type { CacheInvalidator } from '../videos/video-lifecycle';
import type { JobHandler } from './job-registry';

/**
 * Finishes a deleteVideo that could not finish at once: waits (by failing and retrying) until the
 * transcode is no longer running, then removes what it wrote and the original, and retries until
 * both of the video's prefixes (`videos/<id>/`, `sources/<id>/`) are empty. Also ends the bytes of
 * a discarded upload whose storage was away. A no-op for a video that exists (unless FAILED).
 */
export function purgeHandler(deps: { videos: Pick<VideoRepository, 'findById'>; jobs: JobQueue; storage: ObjectStorage; cache: CacheInvalidator }): JobHandler<'video.purge'> {
  return async (job) => {
    const { videoId } = job.data;
    // A FAILED video holds no bytes either (a discarded upload whose storage was away keeps its row as FAILED).
    const row = await deps.videos.findById(videoId);
    if (row && row.status !== VideoStatus.FAILED) return { skipped: 'video exists' };
    if ((await deps.jobs.cancel('video.transcode', videoId)) === 'running') throw new Error(`transcode of ${videoId} still running`);
    const removed = await deleteVideoObjects(deps.storage, videoId);
    // A read between the delete and now may have cached what the transcode was still writing.
    await deps.cache.invalidate(videoId);
    // Something may still have been writing (an upload of a generation in flight): retried until nothing is left.
    const left = await listVideoObjects(deps.storage, videoId);
    if (left.length) throw new Error(`${left.length} objects of ${videoId} still stored`);
    return { removed };
  };
}
