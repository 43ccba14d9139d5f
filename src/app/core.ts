import { VideoCache } from '../cache/video-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { CaptionRepository } from '../db/repositories/caption.repository';
import { VideoRepository } from '../db/repositories/video.repository';
import { VideoWriteRepository } from '../db/repositories/video-write.repository';
import { WebhookRepository } from '../db/repositories/webhook.repository';
import { EdgePurger } from '../edge/edge-purger';
import { EventBus } from '../events/event-bus';
import { JobQueue } from '../jobs/job-queue';
import { FfmpegTools } from '../media/media-tools';
import { ResumableStore } from '../storage/tus-store';
import { CaptionPublisher } from '../videos/caption-publisher';
import { UploadFinalizer } from '../videos/upload-finalizer';
import { QueuePositions } from '../videos/queue-positions';
import { UploadProgress } from '../videos/upload-progress';
import { UploadRateLimit } from '../videos/upload-rate-limit';
import { UploadService } from '../videos/upload.service';
import { VideoLifecycle } from '../videos/video-lifecycle';
import { WebhookTarget } from '../webhooks/webhook-target';
import { WebhookService } from '../webhooks/webhook.service';
import type { Infrastructure } from './infrastructure';

export type Core = ReturnType<typeof buildCore>;

/**
 * What the API and the worker build alike: the event bus, the queue handle, the video reads and
 * cache, the webhook fan-out (both processes move videos), the one video lifecycle, the media
 * tools and the upload side (the worker runs its expiry).
 */
export function buildCore(config: Config, logger: Logger, infra: Infrastructure) {
  const events = new EventBus(infra.publisher, infra.subscriber, config.redisPrefix, (err) => logger.warn({ err }, 'progress event not published'), infra.redis);
  const jobs = new JobQueue(infra.redis, config.redisPrefix);
  const videos = new VideoRepository(infra.ds);
  const p = config.playback;
  const cache = new VideoCache(infra.redis, config.redisPrefix, videos, {
    enabled: p.cacheEnabled,
    ttlSeconds: p.cacheTtlSeconds,
    negativeTtlSeconds: p.cacheNegativeTtlSeconds,
    jitter: p.cacheJitter,
  });

  // One address policy for creating endpoints (API) and delivering to them (worker).
  const w = config.webhooks;
  const webhookRepo = new WebhookRepository(infra.ds);
  const webhookTarget = new WebhookTarget(w.allowPrivateTargets, undefined, w.timeoutMs);
  const webhooks = new WebhookService({
    repo: webhookRepo,
    videos,
    jobs,
    target: webhookTarget,
    logger,
    retry: { maxAttempts: w.maxAttempts, retryBaseMs: w.retryBaseMs },
  });

  // Both processes move videos, so both purge the edge cache (a no-op without EDGE_PURGE_URL).
  const edge = new EdgePurger({ ...config.edgePurge, logger });
  const lifecycle = new VideoLifecycle({ repo: new VideoWriteRepository(infra.ds), cache, events, videoEvents: webhooks, edge, deletions: events });
  const tools = new FfmpegTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
  // Caption changes (API) and published versions (worker) both rewrite the manifests.
  const captionRepo = new CaptionRepository(infra.ds);
  const captionPublisher = new CaptionPublisher({ videos, captions: captionRepo, storage: infra.storage, lifecycle, logger });

  const resumable = ResumableStore.create(config.storage, config.uploads.expirySeconds, () => infra.storage.ping());
  const progress = new UploadProgress(events);
  const positions = new QueuePositions({ jobs, events });
  const finalizer = new UploadFinalizer({ tools, logger, videos, lifecycle, storage: infra.storage, resumable, jobs, progress, positions });
  const uploads = new UploadService({
    maxUploadBytes: config.maxUploadBytes,
    expirySeconds: config.uploads.expirySeconds,
    publicUrl: config.publicUrl,
    videos,
    lifecycle,
    storage: infra.storage,
    resumable,
    rateLimit: new UploadRateLimit(infra.redis, config.redisPrefix, config.uploads),
    progress,
    finalizer,
  });
  return { events, jobs, positions, videos, cache, lifecycle, tools, uploads, resumable, webhooks, webhookRepo, webhookTarget, captionRepo, captionPublisher };
}
