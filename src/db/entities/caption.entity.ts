import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CaptionKind } from '../../domain/caption-kind';
import { VideoEntity } from './video.entity';

/** One caption track of a video, one per language; its WebVTT file is in storage. */
@Entity('captions')
@Index('uq_captions_video_language', ['videoId', 'language'], { unique: true })
export class CaptionEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ name: 'video_id', type: 'char', length: 36 })
  videoId!: string;

  @ManyToOne(() => VideoEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'video_id' })
  video?: VideoEntity;

  /** Canonical BCP 47 tag (Intl.getCanonicalLocales), e.g. en-US. */
  @Column({ type: 'varchar', length: 35 })
  language!: string;

  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: CaptionKind;

  /** Storage key of the WebVTT file (public/captions/…). */
  @Column({ name: 'file_key', type: 'varchar', length: 255 })
  fileKey!: string;

  @Column({ name: 'cue_count', type: 'int' })
  cueCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
