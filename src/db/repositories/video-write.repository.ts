import { In, type DataSource } from 'typeorm';
import type { VideoStatus } from '../../domain/video-status';
import { RenditionEntity, VideoEntity } from '../entities';

export type RenditionRow = Pick<RenditionEntity, 'height' | 'width' | 'bitrate' | 'codecs' | 'frameRate' | 'playlistKey' | 'initKey'>;

/** Columns a write may set: never the id, the owner, the view count or the timestamps TypeORM keeps. */
export type VideoColumns = Partial<Omit<VideoEntity, 'id' | 'ownerId' | 'owner' | 'renditions' | 'viewCount' | 'createdAt' | 'updatedAt'>>;

export type NewVideoRow = Pick<
  VideoEntity,
  'id' | 'ownerId' | 'title' | 'description' | 'status' | 'visibility' | 'sourceKey' | 'sourceFilename' | 'sizeBytes' | 'uploadExpiresAt'
>;

export interface WriteGuard {
  /** The write applies only while the row is in one of these statuses; any status when omitted. */
  from?: readonly VideoStatus[];
  /** …and only while these columns still hold these values (e.g. the published manifest of one generation). */
  match?: Partial<Pick<VideoEntity, 'hlsKey' | 'sourceKey'>>;
  /** …and only while the HLS manifest is a file directly inside this folder (`…/public/<gen>/`): one generation, whatever its manifests' revision. */
  hlsKeyIn?: string;
}

/**
 * Every write to a video row, and nothing else: each is one guarded statement (or one transaction)
 * that says whether it applied. No rules and no side effects live here: which writes are allowed
 * and what follows them (cache invalidation, progress events) belong to the video lifecycle
 * (videos/video-lifecycle.ts), the only code allowed to use this class (.dependency-cruiser.cjs).
 */
export class VideoWriteRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(row: NewVideoRow): Promise<VideoEntity> {
    await this.ds.getRepository(VideoEntity).insert({ ...row, failureReason: null });
    const saved = await this.ds.getRepository(VideoEntity).findOneBy({ id: row.id });
    if (!saved) throw new Error(`Video ${row.id} vanished after insert`);
    return saved;
  }

  /**
   * Sets `columns` on the row when the guard holds; with `renditions`, replaces the video's
   * renditions in the same transaction ([] removes them), so a retry overwrites and never
   * duplicates. False when the row was missing or not in a guarded status.
   */
  async update(id: string, columns: VideoColumns, guard: WriteGuard & { renditions?: readonly RenditionRow[] } = {}): Promise<boolean> {
    const { renditions } = guard;
    if (!renditions) return this.updateRow(this.ds, id, columns, guard);
    return this.ds.transaction(async (tx) => {
      if (!(await this.updateRow(tx, id, columns, guard))) return false;
      await tx.getRepository(RenditionEntity).delete({ videoId: id });
      if (renditions.length) await tx.getRepository(RenditionEntity).insert(renditions.map((r) => ({ ...r, videoId: id })));
      return true;
    });
  }

  /** Renditions and watch history go with the row (ON DELETE CASCADE). */
  async delete(id: string, guard: WriteGuard = {}): Promise<boolean> {
    const res = await this.ds.getRepository(VideoEntity).delete(guard.from ? { id, status: In([...guard.from]) } : { id });
    return (res.affected ?? 0) > 0;
  }

  private async updateRow(db: Pick<DataSource, 'createQueryBuilder'>, id: string, columns: VideoColumns, guard: WriteGuard): Promise<boolean> {
    const query = db
      .createQueryBuilder()
      .update(VideoEntity)
      .set(columns)
      .where({ ...guard.match, id, ...(guard.from ? { status: In([...guard.from]) } : {}) });
    if (guard.hlsKeyIn !== undefined) {
      // Directly in the folder: under it, and in no folder below it.
      const folder = guard.hlsKeyIn.replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere('hls_key LIKE :inside AND hls_key NOT LIKE :deeper', { inside: `${folder}%`, deeper: `${folder}%/%` });
    }
    const res = await query.execute();
    return (res.affected ?? 0) > 0;
  }
}
