import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { VideoStatus, Visibility } from '../../domain/video-status';
import { RenditionEntity } from './rendition.entity';
import { UserEntity } from './user.entity';

/** An image stored for a video (poster sizes). Paths are storage keys, never URLs. */
export interface StoredImage {
  key: string;
  width: number;
  height: number;
  /** The same picture as WebP, when it was made (posters picked or uploaded after issue 13). */
  webpKey?: string;
}

export interface StoredStoryboard {
  vttKey: string;
  imageKeys: string[];
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  intervalSeconds: number;
}

@Entity('videos')
@Index('idx_videos_listing', ['visibility', 'status', 'createdAt'])
@Index('idx_videos_owner', ['ownerId', 'createdAt'])
@Index('idx_videos_popular', ['visibility', 'status', 'viewCount', 'id'])
@Index('idx_videos_status', ['status', 'id'])
@Index('ft_videos_text', ['title', 'description'], { fulltext: true })
export class VideoEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ name: 'owner_id', type: 'char', length: 36 })
  ownerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: UserEntity;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: VideoStatus;

  @Column({ type: 'varchar', length: 16 })
  visibility!: Visibility;

  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason!: string | null;

  /** Storage key of the original upload. */
  @Column({ name: 'source_key', type: 'varchar', length: 255, nullable: true })
  sourceKey!: string | null;

  /** Client's file name, sanitised; for display only, never used in a key. */
  @Column({ name: 'source_filename', type: 'varchar', length: 255, nullable: true })
  sourceFilename!: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: bigintTransformer() })
  sizeBytes!: number | null;

  @Column({ name: 'source_sha256', type: 'char', length: 64, nullable: true })
  sourceSha256!: string | null;

  @Column({ name: 'duration_seconds', type: 'double', nullable: true })
  durationSeconds!: number | null;

  @Column({ type: 'int', nullable: true })
  width!: number | null;

  @Column({ type: 'int', nullable: true })
  height!: number | null;

  @Column({ name: 'source_video_codec', type: 'varchar', length: 32, nullable: true })
  sourceVideoCodec!: string | null;

  @Column({ name: 'source_audio_codec', type: 'varchar', length: 32, nullable: true })
  sourceAudioCodec!: string | null;

  @Column({ name: 'hls_key', type: 'varchar', length: 255, nullable: true })
  hlsKey!: string | null;

  @Column({ name: 'dash_key', type: 'varchar', length: 255, nullable: true })
  dashKey!: string | null;

  @Column({ type: 'json', nullable: true })
  poster!: StoredImage[] | null;

  @Column({ type: 'json', nullable: true })
  storyboard!: StoredStoryboard | null;

  @Column({ name: 'encoding_settings', type: 'json', nullable: true })
  encodingSettings!: Record<string, unknown> | null;

  /** Whether viewers other than the owner may download the video as an MP4 (the owner always may). */
  @Column({ name: 'allow_download', type: 'boolean', default: false })
  allowDownload!: boolean;

  @Column({ name: 'view_count', type: 'bigint', default: 0, transformer: bigintTransformer() })
  viewCount!: number;

  @Column({ name: 'upload_expires_at', type: 'datetime', precision: 3, nullable: true })
  uploadExpiresAt!: Date | null;

  @Column({ name: 'ready_at', type: 'datetime', precision: 3, nullable: true })
  readyAt!: Date | null;

  @OneToMany(() => RenditionEntity, (r) => r.video)
  renditions?: RenditionEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}

/** mysql2 returns BIGINT as a string; sizes and counts stay well inside 2^53. */
function bigintTransformer() {
  return {
    to: (v: number | null | undefined) => v,
    from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
  };
}
