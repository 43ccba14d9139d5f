import { invalidateVideoCache } from '../cache/video-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { VideoRepository } from '../db/repositories/video.repository';
import { Topic, type AppPubSub } from '../graphql/pubsub';
import type { Infrastructure } from '../infrastructure';
import type { JobQueue } from '../jobs/job-queue';
import { ResumableStore } from '../storage/tus-store';
import { UploadFinalizer } from './upload-finalizer';
import { UploadProgress } from './upload-progress';
import { UploadRateLimit } from './upload-rate-limit';
import { UploadService } from './upload.service';
import type { VideoEvents } from '../webhooks/webhook-events';

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
  events: VideoEvents;
}): Uploads {
  const { config, logger, infra, pubSub, jobs, events } = deps;
  const videos = new VideoRepository(infra.ds, (id) => invalidateVideoCache(infra.redis, config.redisPrefix, id));
  const resumable = ResumableStore.create(config.storage, config.uploads.expirySeconds);
  const progress = new UploadProgress((event) => pubSub.publish(Topic.VideoProgress, event.videoId, event));
  const finalizer = new UploadFinalizer({ ffprobePath: config.ffprobePath, logger, videos, storage: infra.storage, resumable, jobs, progress, events });
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
