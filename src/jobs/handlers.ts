import { invalidateVideoCache } from '../cache/video-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { EncodingRepository } from '../db/repositories/encoding.repository';
import type { AppPubSub } from '../graphql/pubsub';
import type { Infrastructure } from '../infrastructure';
import { TranscodeService } from '../videos/transcode.service';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import type { VideoEvents } from '../webhooks/webhook-events';
import type { JobQueue } from './job-queue';
import type { JobHandlers } from './job-registry';
import { purgeHandler } from './purge.handler';
import { transcodeJobHandler } from './transcode.job';
import { createUploadCleanupHandler } from './upload-cleanup.job';
import { webhookDeliveryHandler, webhookPruneHandler } from './webhook.job';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  infra: Infrastructure;
  pubSub: AppPubSub;
  /** The worker's one queue handle (on its command connection), for jobs that enqueue or cancel. */
  jobs: JobQueue;
  /** Webhook events (video.ready, video.failed…) and their delivery. */
  events: VideoEvents;
  webhookDelivery: WebhookDeliveryService;
}

export function createTranscodeService(deps: WorkerDeps): TranscodeService {
  const { config } = deps;
  return new TranscodeService(
    new EncodingRepository(deps.infra.ds, (id) => invalidateVideoCache(deps.infra.redis, config.redisPrefix, id)),
    deps.infra.storage,
    {
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
      preset: config.transcode.preset,
      segmentSeconds: config.transcode.segmentSeconds,
      audioBitrate: 128_000,
    },
    deps.logger,
  );
}

/** Wires one handler per declared job; `service` is shared with the worker's failure hook. */
export function createJobHandlers(deps: WorkerDeps, service: TranscodeService): JobHandlers {
  return {
    'video.transcode': transcodeJobHandler({ service, pubSub: deps.pubSub, events: deps.events, logger: deps.logger, timeoutSeconds: deps.config.transcode.timeoutSeconds }),
    'video.purge': purgeHandler(deps),
    'uploads.cleanup': createUploadCleanupHandler(deps),
    'webhook.deliver': webhookDeliveryHandler(deps.webhookDelivery),
    'webhooks.prune': webhookPruneHandler(deps.webhookDelivery, deps.logger),
  };
}
