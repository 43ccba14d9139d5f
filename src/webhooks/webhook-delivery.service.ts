import { Webhook } from 'standardwebhooks';
import type { Logger } from '../config/logger';
import type { WebhookRepository } from '../db/repositories/webhook.repository';
import type { JobPayloads } from '../jobs/job-types';
import { SendError, type SendResult, type WebhookSender } from './webhook-sender';

export type DeliveryMessage = JobPayloads['webhook.deliver'];

/** This attempt failed; `final` when retrying cannot help (the address policy refused the endpoint). */
export class DeliveryFailed extends Error {
  constructor(
    message: string,
    readonly final: boolean,
  ) {
    super(message);
    this.name = 'DeliveryFailed';
  }
}

/**
 * One delivery attempt: sign per Standard Webhooks (HMAC-SHA256 over `id.timestamp.body`, a
 * fresh timestamp per attempt so receivers' replay windows hold on retries), send, log the
 * outcome with status and latency. Any answer but 2xx is a failure the queue retries.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly deps: {
      repo: WebhookRepository;
      sender: WebhookSender;
      logger: Logger;
      retentionDays: number;
    },
  ) {}

  async deliver(msg: DeliveryMessage, attempt: number): Promise<'delivered' | 'webhook gone'> {
    const hook = await this.deps.repo.findById(msg.webhookId);
    if (!hook) return 'webhook gone';
    const now = new Date();
    const headers = {
      'webhook-id': msg.messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(hook.secret).sign(msg.messageId, now, msg.body),
    };
    let result: SendResult | null = null;
    let error: SendError | null = null;
    try {
      result = await this.deps.sender.send(hook.url, headers, msg.body);
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      error = err;
    }
    const succeeded = result !== null && result.statusCode >= 200 && result.statusCode < 300;
    const problem = error?.message ?? (succeeded ? null : `HTTP ${result?.statusCode}${isRedirect(result) ? ' (redirects are not followed)' : ''}`);
    const logged = await this.deps.repo.logDelivery({
      webhookId: hook.id,
      messageId: msg.messageId,
      event: msg.event,
      attempt,
      statusCode: result?.statusCode ?? null,
      latencyMs: result?.latencyMs ?? null,
      succeeded,
      error: problem,
    });
    if (!logged) return 'webhook gone';
    this.deps.logger.info({ webhookId: hook.id, messageId: msg.messageId, event: msg.event, attempt, status: result?.statusCode ?? null, latencyMs: result?.latencyMs ?? null, error: problem }, 'webhook delivery');
    if (!succeeded) throw new DeliveryFailed(problem ?? 'failed', error?.refused === true);
    return 'delivered';
  }

  /** Bounded retention of the log. */
  prune(now = new Date()): Promise<number> {
    return this.deps.repo.pruneDeliveries(new Date(now.getTime() - this.deps.retentionDays * 24 * 3600 * 1000));
  }
}

function isRedirect(r: SendResult | null): boolean {
  return r !== null && r.statusCode >= 300 && r.statusCode < 400;
}
