import { invalidateVideoCache } from '../cache/video-cache';
import { VideoEntity } from '../db/entities';
import { videoPrefix } from '../storage/keys';
import { transcodeJobId } from '../jobs/job-types';
import type { WorkerDeps } from '../app/worker-handlers';
import type { JobHandler } from './job-registry';

/**
 * Finishes a deleteVideo that could not finish at once: waits (by failing and retrying) until the
 * transcode is no longer running, then removes what it wrote. A no-op for a video that exists.
 */
export function purgeHandler(deps: Pick<WorkerDeps, 'config' | 'infra' | 'jobs'>): JobHandler<'video.purge'> {
  return async (job) => {
    const { videoId } = job.data;
    if (await deps.infra.ds.getRepository(VideoEntity).existsBy({ id: videoId })) return { skipped: 'video exists' };
    if ((await deps.jobs.cancel(transcodeJobId(videoId))) === 'running') throw new Error(`transcode of ${videoId} still running`);
    const removed = await deps.infra.storage.deletePrefix(videoPrefix(videoId));
    await invalidateVideoCache(deps.infra.redis, deps.config.redisPrefix, videoId);
    return { removed };
  };
}
