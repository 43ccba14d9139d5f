import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../config/logger';
import type { WebhookDeliveryEntity, WebhookEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import type { WebhookRepository } from '../db/repositories/webhook.repository';
import { badInput, notFound } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { parseVideoId } from '../domain/video-id';
import { videoEvents, type VideoEvent } from '../domain/video-event';
import type { EventVideo, VideoEvents } from '../videos/video-lifecycle';
import { TargetError, type WebhookTarget } from './webhook-target';

/** Enough for any integration; a bound on fan-out per event. */
export const MAX_WEBHOOKS_PER_USER = 20;
const MAX_URL_LENGTH = 2048;

/** Webhook ids are UUIDs (randomUUID) like video ids: the same check and canonical form; null answers NOT_FOUND. */
const parseWebhookId = parseVideoId;

export interface WebhookServiceDeps {
  repo: WebhookRepository;
  videos: Pick<VideoRepository, 'findById'>;
  jobs: Pick<JobQueue, 'add'>;
  target: WebhookTarget;
  logger: Logger;
  retry: { maxAttempts: number; retryBaseMs: number };
}

/**
 * The owner's endpoints (create, list, delete, delivery log) and the fan-out of video events to
 * them: one `webhook.deliver` job per subscribed endpoint, retried with exponential backoff.
 * Other users' webhooks answer NOT_FOUND, never FORBIDDEN (no existence leak).
 */
export class WebhookService implements VideoEvents {
  constructor(private readonly deps: WebhookServiceDeps) {}

  /** The secret is returned here and never again. */
  async create(userId: string, rawUrl: string, events: readonly VideoEvent[]): Promise<{ webhook: WebhookEntity; secret: string }> {
    const url = validateUrl(rawUrl);
    const wanted = [...new Set(events)];
    if (!wanted.length) throw badInput('Subscribe to at least one event', { field: 'events' });
    if (wanted.some((e) => !videoEvents.includes(e))) throw badInput('Unknown event', { field: 'events' });
    if ((await this.deps.repo.countByOwner(userId)) >= MAX_WEBHOOKS_PER_USER) {
      throw badInput(`At most ${MAX_WEBHOOKS_PER_USER} webhooks per user`, { field: 'url', limit: MAX_WEBHOOKS_PER_USER });
    }
    try {
      await this.deps.target.resolveChecked(url);
    } catch (err) {
      if (err instanceof TargetError) throw badInput(err.message, { field: 'url' });
      throw err;
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const webhook = await this.deps.repo.insert({ id: randomUUID(), ownerId: userId, url: url.toString(), events: wanted, secret });
    return { webhook, secret };
  }

  list(userId: string): Promise<WebhookEntity[]> {
    return this.deps.repo.listByOwner(userId);
  }

  /** Queued deliveries of a deleted webhook find no endpoint and end quietly. */
  async delete(userId: string, id: string): Promise<void> {
    const hookId = parseWebhookId(id);
    if (!hookId || !(await this.deps.repo.delete(hookId, userId))) throw notFound('Webhook');
  }

  async deliveries(userId: string, webhookId: string, limit: number): Promise<WebhookDeliveryEntity[]> {
    const hook = await this.owned(userId, webhookId);
    return this.deps.repo.listDeliveries(hook.id, limit);
  }

  async emit(event: VideoEvent, videoId: string): Promise<void> {
    try {
      const video = await this.deps.videos.findById(videoId);
      if (video) await this.emitFor(event, video);
    } catch (err) {
      this.deps.logger.error({ err, event, videoId }, 'could not queue webhook deliveries');
    }
  }

  async emitFor(event: VideoEvent, video: EventVideo): Promise<void> {
    try {
      const hooks = (await this.deps.repo.listByOwner(video.ownerId)).filter((w) => w.events.includes(event));
      if (!hooks.length) return;
      const body = JSON.stringify({ type: event, timestamp: new Date().toISOString(), data: { video: eventData(video) } });
      const { maxAttempts, retryBaseMs } = this.deps.retry;
      for (const hook of hooks) {
        // One message id per endpoint and event: the same `webhook-id` on every retry, so receivers can deduplicate.
        const messageId = `msg_${randomUUID().replace(/-/g, '')}`;
        await this.deps.jobs.add('webhook.deliver', { webhookId: hook.id, messageId, event, body }, {
          attempts: maxAttempts,
          backoff: { type: 'exponential', delay: retryBaseMs, jitter: 0.2 },
        });
      }
    } catch (err) {
      this.deps.logger.error({ err, event, videoId: video.id }, 'could not queue webhook deliveries');
    }
  }

  private async owned(userId: string, id: string): Promise<WebhookEntity> {
    const hookId = parseWebhookId(id);
    const hook = hookId ? await this.deps.repo.findById(hookId) : null;
    if (!hook || hook.ownerId !== userId) throw notFound('Webhook');
    return hook;
  }
}

/** http(s) only, no credentials in the URL (they would be stored and shown), bounded length. */
export function validateUrl(raw: string): URL {
  const text = raw.trim();
  if (!text || text.length > MAX_URL_LENGTH) throw badInput(`\`url\` must be 1 to ${MAX_URL_LENGTH} characters`, { field: 'url' });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('`url` is not a valid URL', { field: 'url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('`url` must be http or https', { field: 'url' });
  if (url.username || url.password) throw badInput('`url` must not carry credentials', { field: 'url' });
  url.hash = '';
  return url;
}

function eventData(v: EventVideo) {
  return {
    id: v.id,
    title: v.title,
    status: v.status,
    visibility: v.visibility,
    failureReason: v.failureReason,
    durationSeconds: v.durationSeconds,
  };
}
