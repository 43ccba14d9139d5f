import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../config/logger';
import type { JobQueue } from '../jobs/job-queue';
import { DeliveryFailed, type WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import type { JobHandler } from './job-registry';

export const WEBHOOK_PRUNE_SCHEDULER_ID = 'webhooks-prune';

/** `webhook.deliver`: one attempt; a failure is retried by the queue unless the address policy refused the endpoint. */
export function webhookDeliveryHandler(delivery: Pick<WebhookDeliveryService, 'deliver'>): JobHandler<'webhook.deliver'> {
  return async (job) => {
    try {
      return { outcome: await delivery.deliver(job.data, job.attemptsMade + 1) };
    } catch (err) {
      if (err instanceof DeliveryFailed && err.final) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

/** `webhooks.prune`: the delivery log keeps `WEBHOOK_DELIVERY_RETENTION_DAYS`. */
export function webhookPruneHandler(delivery: Pick<WebhookDeliveryService, 'prune'>, logger: Logger): JobHandler<'webhooks.prune'> {
  return async () => {
    const removed = await delivery.prune();
    if (removed) logger.info({ removed }, 'pruned webhook deliveries');
    return { removed };
  };
}

/** Hourly. */
export function scheduleWebhookPrune(jobs: JobQueue): Promise<void> {
  return jobs.schedule(WEBHOOK_PRUNE_SCHEDULER_ID, 'webhooks.prune', 3600, {});
}
