import { In, LessThan, MoreThan, Not, type DataSource, type Repository } from 'typeorm';
import { VideoOrder, type KeysetAfter } from '../../videos/video-listing';
import { VideoStatus, Visibility } from '../../videos/video-status';
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

/** What an upload learns about its source, written when it moves UPLOADING → QUEUED. */
export interface SourceFacts {
  sizeBytes: number;
  sourceSha256: string;
  durationSeconds: number;
  width: number;
  height: number;
  sourceVideoCodec: string;
  sourceAudioCodec: string | null;
}

export type NewUploadRow = Pick<
  VideoEntity,
  'id' | 'ownerId' | 'title' | 'description' | 'visibility' | 'sourceKey' | 'sourceFilename' | 'sizeBytes' | 'uploadExpiresAt'
>;

export class VideoRepository {
  private readonly videos: Repository<VideoEntity>;
  private readonly renditions: Repository<RenditionEntity>;

  /**
   * `changed` runs after each committed status change made here, so the metadata cache of every
   * API process drops the old state (see cache/video-cache.ts).
   */
  constructor(
    ds: DataSource,
    private readonly changed: (videoId: string) => Promise<void> = async () => undefined,
  ) {
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

  /** A new video in UPLOADING, before any byte is stored. */
  async insertUploading(row: NewUploadRow): Promise<VideoEntity> {
    await this.videos.insert({ ...row, status: VideoStatus.UPLOADING, failureReason: null });
    const saved = await this.findById(row.id);
    if (!saved) throw new Error(`Video ${row.id} vanished after insert`);
    return saved;
  }

  /** UPLOADING → QUEUED with the source facts; false when the row was not UPLOADING (a retry, or gone). */
  async markQueued(id: string, facts: SourceFacts): Promise<boolean> {
    const res = await this.videos.update(
      { id, status: VideoStatus.UPLOADING },
      { ...facts, status: VideoStatus.QUEUED, uploadExpiresAt: null, failureReason: null },
    );
    return this.reportChange(id, res.affected);
  }

  /** UPLOADING → FAILED; false when it had already left UPLOADING. */
  async markUploadFailed(id: string, reason: string): Promise<boolean> {
    const res = await this.videos.update(
      { id, status: VideoStatus.UPLOADING },
      { status: VideoStatus.FAILED, failureReason: reason.slice(0, 500), uploadExpiresAt: null },
    );
    return this.reportChange(id, res.affected);
  }

  /** Deletes a row that never finished uploading (renditions and history cascade). */
  async deleteUploading(id: string): Promise<boolean> {
    const res = await this.videos.delete({ id, status: VideoStatus.UPLOADING });
    return this.reportChange(id, res.affected);
  }

  private async reportChange(id: string, affected: number | null | undefined): Promise<boolean> {
    if (!affected) return false;
    await this.changed(id);
    return true;
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
