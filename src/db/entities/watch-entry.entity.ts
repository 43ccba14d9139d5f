import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Durable copy of a user's resume position; Redis holds the hot copy (write-behind). */
@Entity('watch_history')
@Index('idx_watch_history_user_time', ['userId', 'watchedAt'])
export class WatchEntryEntity {
  @PrimaryColumn({ name: 'user_id', type: 'char', length: 36 })
  userId!: string;

  @PrimaryColumn({ name: 'video_id', type: 'char', length: 36 })
  videoId!: string;

  @Column({ name: 'position_seconds', type: 'double' })
  positionSeconds!: number;

  @Column({ name: 'watched_at', type: 'datetime', precision: 3 })
  watchedAt!: Date;
}
