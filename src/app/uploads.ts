import { invalidateVideoCache } from '../cache/video-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { VideoRepository } from '../db/repositories/video.repository';
import { Topic, type AppPubSub } from '../events/event-bus';
import type { Infrastructure } from './infrastructure';
import type { JobQueue } from '../jobs/job-queue';
import { ResumableStore } from '../storage/tus-store';
import { UploadFinalizer } from '../videos/upload-finalizer';
import { UploadProgress } from '../videos/upload-progress';
import { UploadRateLimit } from '../videos/upload-rate-limit';
import { UploadService } from '../videos/upload.service';

export interface Uploads {
  service: UploadService;
  resumable: ResumableStore;
}

/** Wires the upload side (API: both upload paths; worker: the expiry cleanup). */
export function createUploads(deps: {
  config: Config;
  logger: Logger;
  infra: Infrastructure;
  pubSub: AppPubSub;
  jobs: JobQueue;
}): Uploads {
  const { config, logger, infra, pubSub, jobs } = deps;
  const videos = new VideoRepository(infra.ds, (id) => invalidateVideoCache(infra.redis, config.redisPrefix, id));
  const resumable = ResumableStore.create(config.storage, config.uploads.expirySeconds);
  const progress = new UploadProgress((event) => pubSub.publish(Topic.VideoProgress, event.videoId, event));
  const finalizer = new UploadFinalizer({ ffprobePath: config.ffprobePath, logger, videos, storage: infra.storage, resumable, jobs, progress });
  const service = new UploadService({
    maxUploadBytes: config.maxUploadBytes,
    expirySeconds: config.uploads.expirySeconds,
    publicUrl: config.publicUrl,
    videos,
    storage: infra.storage,
    resumable,
    rateLimit: new UploadRateLimit(infra.redis, config.redisPrefix, config.uploads),
    progress,
    finalizer,
  });
  return { service, resumable };
}
