import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { VideoEntity } from './video.entity';

/** One rung of a video's ladder; its segments are shared by the HLS and DASH manifests. */
@Entity('renditions')
@Index('uq_renditions_video_height', ['videoId', 'height'], { unique: true })
export class RenditionEntity {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id!: number;

  @Column({ name: 'video_id', type: 'char', length: 36 })
  videoId!: string;

  @ManyToOne(() => VideoEntity, (v) => v.renditions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'video_id' })
  video?: VideoEntity;

  @Column({ type: 'int' })
  height!: number;

  @Column({ type: 'int' })
  width!: number;

  /** Peak bandwidth in bits per second, as advertised in the manifests. */
  @Column({ type: 'int' })
  bitrate!: number;

  @Column({ type: 'varchar', length: 64 })
  codecs!: string;

  @Column({ name: 'frame_rate', type: 'double', nullable: true })
  frameRate!: number | null;

  /** Storage key of this rung's media playlist (HLS). */
  @Column({ name: 'playlist_key', type: 'varchar', length: 255 })
  playlistKey!: string;

  /** Storage key of this rung's CMAF init segment. */
  @Column({ name: 'init_key', type: 'varchar', length: 255, nullable: true })
  initKey!: string | null;
}
