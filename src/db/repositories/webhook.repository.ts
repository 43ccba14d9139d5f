import { LessThan, type DataSource, type Repository } from 'typeorm';
import { WebhookDeliveryEntity, WebhookEntity } from '../entities';

export type NewWebhookRow = Pick<WebhookEntity, 'id' | 'ownerId' | 'url' | 'events' | 'secret'>;
export type DeliveryRow = Pick<WebhookDeliveryEntity, 'webhookId' | 'messageId' | 'event' | 'attempt' | 'statusCode' | 'latencyMs' | 'succeeded' | 'error'>;

/** Webhook endpoints and their delivery log. */
export class WebhookRepository {
  private readonly webhooks: Repository<WebhookEntity>;
  private readonly deliveries: Repository<WebhookDeliveryEntity>;

  constructor(ds: DataSource) {
    this.webhooks = ds.getRepository(WebhookEntity);
    this.deliveries = ds.getRepository(WebhookDeliveryEntity);
  }

  async insert(row: NewWebhookRow): Promise<WebhookEntity> {
    await this.webhooks.insert(row);
    return this.webhooks.findOneByOrFail({ id: row.id });
  }

  findById(id: string): Promise<WebhookEntity | null> {
    return this.webhooks.findOneBy({ id });
  }

  listByOwner(ownerId: string): Promise<WebhookEntity[]> {
    return this.webhooks.find({ where: { ownerId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  countByOwner(ownerId: string): Promise<number> {
    return this.webhooks.countBy({ ownerId });
  }

  /** Deliveries go with it (ON DELETE CASCADE); only the owner's row matches. */
  async delete(id: string, ownerId: string): Promise<boolean> {
    return ((await this.webhooks.delete({ id, ownerId })).affected ?? 0) > 0;
  }

  /** False when the webhook was deleted meanwhile (the foreign key refuses the row). */
  async logDelivery(row: DeliveryRow): Promise<boolean> {
    try {
      await this.deliveries.insert({ ...row, error: row.error?.slice(0, 500) ?? null });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_NO_REFERENCED_ROW_2') return false;
      throw err;
    }
  }

  /** Newest first. */
  listDeliveries(webhookId: string, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries.find({ where: { webhookId }, order: { id: 'DESC' }, take: limit });
  }

  /** Removes log rows older than `before`, in bounded batches so no statement holds locks for long. */
  async pruneDeliveries(before: Date, batch = 5000): Promise<number> {
    let removed = 0;
    for (;;) {
      const ids = (await this.deliveries.find({ select: { id: true }, where: { createdAt: LessThan(before) }, order: { id: 'ASC' }, take: batch })).map((d) => d.id);
      if (!ids.length) return removed;
      removed += (await this.deliveries.delete(ids)).affected ?? 0;
      if (ids.length < batch) return removed;
    }
  }
}
