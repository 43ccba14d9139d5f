import { In, LessThan, MoreThan, Not, type DataSource, type Repository } from 'typeorm';
import { VideoOrder, type KeysetAfter } from '../../domain/video-order';
import { VideoStatus, Visibility } from '../../domain/video-status';
import { RenditionEntity, VideoEntity } from '../entities';

export interface KeysetPage {
  limit: number;
  /** NEWEST when left out. */
  order?: VideoOrder;
  after: KeysetAfter | null;
}

/** Filters of the public listing. */
export interface ListingFilter {
  /** A FULLTEXT BOOLEAN MODE expression over title and description (built by fullTextQuery). */
  match: string | null;
  uploaderId: string | null;
}

// Column and direction per order; the id breaks ties in the same direction.
const ORDERS: Record<VideoOrder, { column: string; dir: 'ASC' | 'DESC' }> = {
  [VideoOrder.NEWEST]: { column: 'v.created_at', dir: 'DESC' },
  [VideoOrder.OLDEST]: { column: 'v.created_at', dir: 'ASC' },
  [VideoOrder.MOST_VIEWED]: { column: 'v.view_count', dir: 'DESC' },
};

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

  /** Public READY videos, filtered and in the page's order; fetches limit+1 rows so the caller knows if more follow. */
  listPublic(page: KeysetPage, filter: ListingFilter = { match: null, uploaderId: null }): Promise<VideoEntity[]> {
    const q = this.videos
      .createQueryBuilder('v')
      .where('v.visibility = :vis AND v.status = :status', { vis: Visibility.PUBLIC, status: VideoStatus.READY });
    if (filter.uploaderId) q.andWhere('v.owner_id = :uploaderId', { uploaderId: filter.uploaderId });
    if (filter.match) q.andWhere('MATCH (v.title, v.description) AGAINST (:match IN BOOLEAN MODE)', { match: filter.match });
    return this.keyset(q, page);
  }

  /** A user's videos; strangers see only the public READY ones. */
  listByOwner(ownerId: string, page: KeysetPage, includeAll: boolean): Promise<VideoEntity[]> {
    const q = this.videos.createQueryBuilder('v').where('v.owner_id = :ownerId', { ownerId });
    if (!includeAll) q.andWhere('v.visibility = :vis AND v.status = :status', { vis: Visibility.PUBLIC, status: VideoStatus.READY });
    return this.keyset(q, page);
  }

  private keyset(q: ReturnType<Repository<VideoEntity>['createQueryBuilder']>, page: KeysetPage): Promise<VideoEntity[]> {
    const { column, dir } = ORDERS[page.order ?? VideoOrder.NEWEST];
    if (page.after) {
      const cmp = dir === 'DESC' ? '<' : '>';
      q.andWhere(`(${column} ${cmp} :key OR (${column} = :key AND v.id ${cmp} :id))`, { key: page.after.key, id: page.after.id });
    }
    return q.orderBy(column, dir).addOrderBy('v.id', dir).limit(page.limit + 1).getMany();
  }

  /** Ids of QUEUED videos after `afterId`, in id order (for the sweep that re-enqueues their jobs). */
  async queuedIds(afterId: string | null, limit: number): Promise<string[]> {
    const rows = await this.videos.find({
      select: { id: true },
      where: { status: VideoStatus.QUEUED, ...(afterId ? { id: MoreThan(afterId) } : {}) },
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map((r) => r.id);
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
