import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { VideoEvent } from '../../domain/video-event';
import { UserEntity } from './user.entity';

/** A user's endpoint for video events. The secret signs deliveries; the API shows it only once. */
@Entity('webhooks')
@Index('idx_webhooks_owner', ['ownerId', 'createdAt'])
export class WebhookEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'char', length: 36 })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'json' })
  events!: VideoEvent[];

  /** `whsec_` + base64 key (Standard Webhooks). */
  @Column({ type: 'varchar', length: 100 })
  secret!: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
