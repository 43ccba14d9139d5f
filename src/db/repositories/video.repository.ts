import { In, LessThan, MoreThan, Not, type DataSource, type Repository } from 'typeorm';
import { VideoStatus, Visibility } from '../../domain/video-status';
import { RenditionEntity, VideoEntity } from '../entities';

export interface KeysetPage {
  limit: number;
  after: { createdAt: Date; id: string } | null;
}

/** Reads of video rows and their renditions. Writes go through the video lifecycle (video-write.repository.ts). */
export class VideoRepository {
  private readonly videos: Repository<VideoEntity>;
  private readonly renditions: Repository<RenditionEntity>;

  constructor(ds: DataSource) {
    this.videos = ds.getRepository(VideoEntity);
    this.renditions = ds.getRepository(RenditionEntity);
  }

  findById(id: string): Promise<VideoEntity | null> {
    return this.videos.findOneBy({ id });
  }

  findByIds(ids: readonly string[]): Promise<VideoEntity[]> {
    return ids.length ? this.videos.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  renditionsFor(videoIds: readonly string[]): Promise<RenditionEntity[]> {
    if (!videoIds.length) return Promise.resolve([]);
    return this.renditions.find({ where: { videoId: In([...videoIds]) }, order: { height: 'DESC' } });
  }

  /** Public READY videos, newest first; fetches limit+1 rows so the caller knows if more follow. */
  listPublic(page: KeysetPage): Promise<VideoEntity[]> {
    const q = this.videos
      .createQueryBuilder('v')
      .where('v.visibility = :vis AND v.status = :status', { vis: Visibility.PUBLIC, status: VideoStatus.READY });
    return this.keyset(q, page);
  }

  /** A user's videos; strangers see only the public READY ones. */
  listByOwner(ownerId: string, page: KeysetPage, includeAll: boolean): Promise<VideoEntity[]> {
    const q = this.videos.createQueryBuilder('v').where('v.owner_id = :ownerId', { ownerId });
    if (!includeAll) q.andWhere('v.visibility = :vis AND v.status = :status', { vis: Visibility.PUBLIC, status: VideoStatus.READY });
    return this.keyset(q, page);
  }

  private keyset(q: ReturnType<Repository<VideoEntity>['createQueryBuilder']>, page: KeysetPage): Promise<VideoEntity[]> {
    if (page.after) {
      q.andWhere('(v.created_at < :at OR (v.created_at = :at AND v.id < :id))', {
        at: page.after.createdAt,
        id: page.after.id,
      });
    }
    return q.orderBy('v.created_at', 'DESC').addOrderBy('v.id', 'DESC').limit(page.limit + 1).getMany();
  }

  /** Unfinished uploads past their expiry, oldest first. */
  findExpiredUploads(now: Date, limit: number): Promise<VideoEntity[]> {
    return this.videos.find({
      where: { status: VideoStatus.UPLOADING, uploadExpiresAt: LessThan(now) },
      order: { uploadExpiresAt: 'ASC' },
      take: limit,
    });
  }

  /** The owner's earlier upload of the same bytes and title (not failed), for idempotent retries. */
  findRecentBySha256(ownerId: string, sha256: string, title: string, since: Date): Promise<VideoEntity | null> {
    return this.videos.findOne({
      where: { ownerId, sourceSha256: sha256, title, createdAt: MoreThan(since), status: Not(In([VideoStatus.FAILED, VideoStatus.UPLOADING])) },
      order: { createdAt: 'ASC' },
    });
  }
}
