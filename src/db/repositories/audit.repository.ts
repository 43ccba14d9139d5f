import { In, MoreThan, type DataSource, type Repository } from 'typeorm';
import type { VideoStatus } from '../../domain/video-status';
import { RenditionEntity, VideoEntity } from '../entities';

export interface AuditVideo {
  id: string;
  status: VideoStatus;
  sourceKey: string | null;
  hlsKey: string | null;
  dashKey: string | null;
  uploadExpiresAt: Date | null;
  updatedAt: Date;
}

export interface AuditRendition {
  videoId: string;
  height: number;
  playlistKey: string;
  initKey: string | null;
}

/** Read-only walks over every video row and rendition row, for the consistency audit. */
export class AuditRepository {
  private readonly videos: Repository<VideoEntity>;
  private readonly renditions: Repository<RenditionEntity>;

  constructor(ds: DataSource) {
    this.videos = ds.getRepository(VideoEntity);
    this.renditions = ds.getRepository(RenditionEntity);
  }

  /** One page of rows in id order, after `afterId`. */
  videosAfter(afterId: string | null, limit: number): Promise<AuditVideo[]> {
    return this.videos.find({
      select: { id: true, status: true, sourceKey: true, hlsKey: true, dashKey: true, uploadExpiresAt: true, updatedAt: true },
      where: afterId ? { id: MoreThan(afterId) } : {},
      order: { id: 'ASC' },
      take: limit,
    });
  }

  async renditionsOf(videoIds: string[]): Promise<AuditRendition[]> {
    if (!videoIds.length) return [];
    return this.renditions.find({ select: { videoId: true, height: true, playlistKey: true, initKey: true }, where: { videoId: In(videoIds) } });
  }
}
