import type { Logger } from '../config/logger';
import type { AuditRepository } from '../db/repositories/audit.repository';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import { legacySourceKey, sourceKey, videoPrefix } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { VideoLifecycle } from './video-lifecycle';

export interface RelocationReport {
  /** Originals now under `sources/`. */
  moved: number;
  /** Old-layout originals left where they are for now: their video is being uploaded or processed. */
  busy: number;
  /** Rows that record an old-layout original no longer stored (a discarded upload): nothing to move. */
  absent: number;
  failed: number;
}

const PAGE = 500;

/**
 * Moves originals stored in the old layout (`videos/<id>/source`, beside what is delivered) to
 * `sources/<id>/original` (keys.ts), so a CDN origin may then expose `videos/` whole. Only settled
 * videos (READY, FAILED) move: nothing reads their original then. Per video: copy, switch the row
 * (guarded by the key it still records), then delete the old object and the tus bookkeeping beside
 * it. Interrupted at any point, a second run finishes the work; a lost race (deleted, re-encoded,
 * moved by another run) removes the copy unless the row now records it.
 */
export class SourceRelocation {
  constructor(
    private readonly deps: {
      rows: Pick<AuditRepository, 'videosAfter'>;
      videos: Pick<VideoRepository, 'findById'>;
      storage: Pick<ObjectStorage, 'get' | 'put' | 'delete' | 'list' | 'stat'>;
      lifecycle: Pick<VideoLifecycle, 'relocateSource'>;
      logger: Logger;
    },
  ) {}

  async run(): Promise<RelocationReport> {
    const report: RelocationReport = { moved: 0, busy: 0, absent: 0, failed: 0 };
    for (let after: string | null = null; ; ) {
      const page = await this.deps.rows.videosAfter(after, PAGE);
      for (const v of page) {
        if (v.sourceKey !== legacySourceKey(v.id)) continue;
        if (v.status !== VideoStatus.READY && v.status !== VideoStatus.FAILED) {
          report.busy += 1;
          continue;
        }
        try {
          const moved = await this.move(v.id);
          if (moved === 'absent') report.absent += 1;
          else if (moved) report.moved += 1;
        } catch (err) {
          report.failed += 1;
          this.deps.logger.error({ err, videoId: v.id }, 'could not move the original out of videos/');
        }
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }
    return report;
  }

  private async move(id: string): Promise<boolean | 'absent'> {
    const { storage, lifecycle, videos } = this.deps;
    const from = legacySourceKey(id);
    const to = sourceKey(id);
    if (!(await storage.stat(from))) return 'absent';
    await storage.put(to, await storage.get(from));
    if (!(await lifecycle.relocateSource(id, { from, to }))) {
      if ((await videos.findById(id))?.sourceKey !== to) await storage.delete(to);
      return false;
    }
    // The old original, and what a tus upload kept beside it (`source.info`, `.part`).
    for (const key of await storage.list(videoPrefix(id))) if (key === from || key.startsWith(`${from}.`)) await storage.delete(key);
    return true;
  }
}
