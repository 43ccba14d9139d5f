import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../config/logger';
import { DeliveryFailed, type WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import type { JobQueue } from './job-queue';
import type { JobHandler } from './job-registry';

export const WEBHOOK_PRUNE_SCHEDULER_ID = 'webhooks-prune';

/** `webhook.deliver`: one attempt; a failure is retried by the queue unless the address policy refused the endpoint. */
export function webhookDeliveryHandler(delivery: WebhookDeliveryService): JobHandler<'webhook.deliver'> {
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
export function webhookPruneHandler(delivery: WebhookDeliveryService, logger: Logger): JobHandler<'webhooks.prune'> {
  return async () => {
    const removed = await delivery.prune();
    if (removed) logger.info({ removed }, 'pruned webhook deliveries');
    return { removed };
  };
}

/** Hourly; BullMQ keeps one scheduler per id however many workers call this. */
export async function scheduleWebhookPrune(jobs: JobQueue): Promise<void> {
  await jobs.queue.upsertJobScheduler(
    WEBHOOK_PRUNE_SCHEDULER_ID,
    { every: 3600 * 1000 },
    { name: 'webhooks.prune', data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
  );
}
