import { In, type DataSource } from 'typeorm';
import { allowedSources, VideoStatus } from '../../domain/video-status';
import { RenditionEntity, VideoEntity } from '../entities';
import type { StoredImage, StoredStoryboard } from '../entities/video.entity';

export type RenditionRow = Pick<
  RenditionEntity,
  'height' | 'width' | 'bitrate' | 'codecs' | 'frameRate' | 'playlistKey' | 'initKey'
>;

export interface Publication {
  hlsKey: string;
  dashKey: string;
  renditions: RenditionRow[];
  poster?: StoredImage[];
  storyboard?: StoredStoryboard;
  encodingSettings?: Record<string, unknown>;
  /** READY finishes the job; PROCESSING publishes an early playable version. */
  status: VideoStatus.PROCESSING | VideoStatus.READY;
}

export interface ProbedColumns {
  durationSeconds: number;
  width: number;
  height: number;
  sourceVideoCodec: string | null;
  sourceAudioCodec: string | null;
}

/** The worker's side of the videos table: status moves guarded by the status machine, and publication. */
export class EncodingRepository {
  /**
   * `changed` runs after every committed write to a video, so readers in other processes
   * (the API's metadata cache) drop what they hold.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly changed: (videoId: string) => Promise<void> = async () => undefined,
  ) {}

  /** Moves the video to PROCESSING when the status machine allows it; false when it does not (or it is gone). */
  async claim(id: string): Promise<boolean> {
    const res = await this.ds
      .createQueryBuilder()
      .update(VideoEntity)
      .set({ status: VideoStatus.PROCESSING, failureReason: null })
      .where({ id, status: In(allowedSources(VideoStatus.PROCESSING)) })
      .execute();
    if (!res.affected) return false;
    await this.changed(id);
    return true;
  }

  async saveProbe(id: string, cols: ProbedColumns): Promise<void> {
    await this.ds.getRepository(VideoEntity).update({ id }, cols);
    await this.changed(id);
  }

  /**
   * Replaces the video's renditions and manifests in one transaction: a retry overwrites, never
   * duplicates. False when the video is no longer PROCESSING (deleted or failed meanwhile).
   */
  async publish(id: string, pub: Publication): Promise<boolean> {
    const done = await this.ds.transaction(async (tx) => {
      const res = await tx
        .createQueryBuilder()
        .update(VideoEntity)
        .set({
          hlsKey: pub.hlsKey,
          dashKey: pub.dashKey,
          status: pub.status,
          ...(pub.poster ? { poster: pub.poster } : {}),
          ...(pub.storyboard ? { storyboard: pub.storyboard } : {}),
          ...(pub.encodingSettings ? { encodingSettings: pub.encodingSettings } : {}),
          ...(pub.status === VideoStatus.READY ? { readyAt: new Date(), failureReason: null } : {}),
        })
        .where({ id, status: VideoStatus.PROCESSING })
        .execute();
      if (!res.affected) return false;
      await tx.getRepository(RenditionEntity).delete({ videoId: id });
      if (pub.renditions.length) {
        await tx.getRepository(RenditionEntity).insert(pub.renditions.map((r) => ({ ...r, videoId: id })));
      }
      return true;
    });
    if (done) await this.changed(id);
    return done;
  }

  /** FAILED with a reason, and nothing playable left pointing at deleted files. */
  async markFailed(id: string, reason: string): Promise<boolean> {
    const done = await this.ds.transaction(async (tx) => {
      const res = await tx
        .createQueryBuilder()
        .update(VideoEntity)
        .set({ status: VideoStatus.FAILED, failureReason: reason.slice(0, 500), hlsKey: null, dashKey: null, poster: null, storyboard: null })
        .where({ id, status: In(allowedSources(VideoStatus.FAILED)) })
        .execute();
      if (!res.affected) return false;
      await tx.getRepository(RenditionEntity).delete({ videoId: id });
      return true;
    });
    if (done) await this.changed(id);
    return done;
  }
}
