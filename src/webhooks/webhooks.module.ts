import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { VideoRepository } from '../db/repositories/video.repository';
import { WebhookRepository } from '../db/repositories/webhook.repository';
import type { Infrastructure } from '../infrastructure';
import type { JobQueue } from '../jobs/job-queue';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookSender } from './webhook-sender';
import { WebhookTarget } from './webhook-target';
import { WebhookService } from './webhook.service';

export interface Webhooks {
  /** Endpoints and event fan-out (both processes emit events). */
  service: WebhookService;
  /** Sending and the log's retention (the worker). */
  delivery: WebhookDeliveryService;
}

/** Wires webhooks by hand; one address policy for creation and delivery. */
export function createWebhooks(deps: { config: Config; logger: Logger; infra: Infrastructure; jobs: JobQueue }): Webhooks {
  const { config, logger, infra, jobs } = deps;
  const settings = config.webhooks;
  const repo = new WebhookRepository(infra.ds);
  const target = new WebhookTarget(settings.allowPrivateTargets, undefined, settings.timeoutMs);
  return {
    service: new WebhookService({
      repo,
      videos: new VideoRepository(infra.ds),
      jobs,
      target,
      logger,
      retry: { maxAttempts: settings.maxAttempts, retryBaseMs: settings.retryBaseMs },
    }),
    delivery: new WebhookDeliveryService({ repo, sender: new WebhookSender(target, settings.timeoutMs), logger, retentionDays: settings.deliveryRetentionDays }),
  };
}
