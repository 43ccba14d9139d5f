import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One delivery attempt of one message to one endpoint: the log owners read, pruned by age. */
@Entity('webhook_deliveries')
@Index('idx_webhook_deliveries_webhook', ['webhookId', 'id'])
@Index('idx_webhook_deliveries_created', ['createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id!: string;

  @Column({ name: 'webhook_id', type: 'char', length: 36 })
  webhookId!: string;

  /** The `webhook-id` header: the same for every attempt of one message. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId!: string;

  @Column({ type: 'varchar', length: 32 })
  event!: string;

  @Column({ type: 'int' })
  attempt!: number;

  /** Null when no response came (refused target, DNS, connection, timeout). */
  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'latency_ms', type: 'int', nullable: true })
  latencyMs!: number | null;

  @Column({ type: 'boolean' })
  succeeded!: boolean;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
