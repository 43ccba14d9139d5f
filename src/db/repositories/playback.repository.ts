import type { DataSource } from 'typeorm';
import { WatchEntryEntity } from '../entities';

export interface WatchRow {
  userId: string;
  videoId: string;
  positionSeconds: number;
  watchedAt: Date;
}

/** The durable side of counters and watch history, written behind Redis in batches. */
export class PlaybackRepository {
  constructor(private readonly ds: DataSource) {}

  /** One statement: counts only ever grow, so a late or repeated flush cannot lower one. */
  async setViewCounts(counts: ReadonlyMap<string, number>): Promise<void> {
    if (!counts.size) return;
    const ids = [...counts.keys()];
    const cases = ids.map(() => 'WHEN ? THEN ?').join(' ');
    const params = ids.flatMap((id) => [id, counts.get(id) ?? 0]);
    await this.ds.query(
      `UPDATE videos SET view_count = GREATEST(view_count, CASE id ${cases} ELSE view_count END) WHERE id IN (${ids.map(() => '?').join(',')})`,
      [...params, ...ids],
    );
  }

  /**
   * One statement per batch. IGNORE skips rows whose video was deleted meanwhile (foreign key);
   * an older write never overwrites a newer position.
   */
  async upsertWatch(rows: readonly WatchRow[]): Promise<void> {
    if (!rows.length) return;
    await this.ds.query(
      `INSERT IGNORE INTO watch_history (user_id, video_id, position_seconds, watched_at) VALUES ${rows.map(() => '(?,?,?,?)').join(',')}
       ON DUPLICATE KEY UPDATE
         position_seconds = IF(VALUES(watched_at) >= watched_at, VALUES(position_seconds), position_seconds),
         watched_at = GREATEST(watched_at, VALUES(watched_at))`,
      rows.flatMap((r) => [r.userId, r.videoId, r.positionSeconds, r.watchedAt]),
    );
  }

  recentWatch(userId: string, limit: number): Promise<WatchEntryEntity[]> {
    return this.ds.getRepository(WatchEntryEntity).find({ where: { userId }, order: { watchedAt: 'DESC' }, take: limit });
  }
}
