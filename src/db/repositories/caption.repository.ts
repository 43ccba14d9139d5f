import { In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { CaptionEntity } from '../entities';

export type NewCaption = Pick<CaptionEntity, 'id' | 'videoId' | 'language' | 'label' | 'kind' | 'fileKey' | 'cueCount'>;

/** Caption rows: reads (batched for the DataLoader) and the two writes, each one statement or transaction. */
export class CaptionRepository {
  private readonly captions: Repository<CaptionEntity>;

  constructor(private readonly ds: DataSource) {
    this.captions = ds.getRepository(CaptionEntity);
  }

  /** Every track of these videos, in language order: one statement for any number of videos. */
  forVideos(videoIds: readonly string[]): Promise<CaptionEntity[]> {
    if (!videoIds.length) return Promise.resolve([]);
    return this.captions.find({ where: { videoId: In([...videoIds]) }, order: { videoId: 'ASC', language: 'ASC' } });
  }

  /**
   * Adds the track, or replaces the one of the same language. The video's row is locked first
   * (read, never written), so concurrent changes to one video's tracks queue up: no two uploads of
   * a language both think they replaced nothing, and `maxTracks` holds. Returns the replaced
   * row's file key (now unreferenced) or null; 'gone' when the video was deleted meanwhile.
   */
  async put(row: NewCaption, maxTracks: number): Promise<{ replaced: string | null } | 'too-many' | 'gone'> {
    return this.ds.transaction(async (tx) => {
      if (!(await lockVideo(tx, row.videoId))) return 'gone';
      const repo = tx.getRepository(CaptionEntity);
      const existing = await repo.find({ where: { videoId: row.videoId } });
      const same = existing.find((c) => c.language === row.language);
      if (same) {
        await repo.update({ id: same.id }, { label: row.label, kind: row.kind, fileKey: row.fileKey, cueCount: row.cueCount });
        return { replaced: same.fileKey };
      }
      if (existing.length >= maxTracks) return 'too-many';
      await repo.insert(row);
      return { replaced: null };
    });
  }

  /** Removes the track of that language; its file key, or null when there was none. */
  async remove(videoId: string, language: string): Promise<string | null> {
    return this.ds.transaction(async (tx) => {
      if (!(await lockVideo(tx, videoId))) return null;
      const repo = tx.getRepository(CaptionEntity);
      const row = await repo.findOne({ where: { videoId, language } });
      if (!row) return null;
      await repo.delete({ id: row.id });
      return row.fileKey;
    });
  }
}

async function lockVideo(tx: EntityManager, videoId: string): Promise<boolean> {
  const rows = (await tx.query('SELECT id FROM videos WHERE id = ? FOR UPDATE', [videoId])) as unknown[];
  return rows.length > 0;
}
