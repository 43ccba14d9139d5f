import type { VideoEntity } from '../db/entities';
import { badInput, notFound } from '../errors';
import { pageSize } from '../utils/page-size';
import { canView, findVisible, type VideoReader } from '../videos/video-access';
import type { WatchHistory } from './watch-history';

export interface ContinueWatchingEntry {
  video: VideoEntity;
  positionSeconds: number;
  watchedAt: Date;
}

/** A resume position may run past the end a little (players overshoot); unknown durations get a week. */
const UNKNOWN_DURATION_SECONDS = 7 * 24 * 3600;

/** The rules of resume positions and "continue watching"; ids are canonical, `reader` is the request's. */
export class WatchService {
  constructor(
    private readonly history: WatchHistory,
    /** How many videos the history keeps per user (WATCH_HISTORY_MAX). */
    readonly max: number,
  ) {}

  /** A viewer's position in a video they may see, within its duration. */
  async record(userId: string, videoId: string, positionSeconds: number, reader: Pick<VideoReader, 'load'>): Promise<void> {
    const video = await findVisible(reader, videoId, userId);
    if (!video) throw notFound();
    const limit = (video.durationSeconds ?? UNKNOWN_DURATION_SECONDS) + 1;
    if (!Number.isFinite(positionSeconds) || positionSeconds < 0 || positionSeconds > limit) {
      throw badInput('`positionSeconds` must be within the video', { field: 'positionSeconds' });
    }
    await this.history.record(userId, videoId, positionSeconds);
  }

  /**
   * Newest first, only what the viewer may still see. Deleted videos leave the history; videos
   * made private by their owner are hidden but kept, in case they come back.
   */
  async continueWatching(userId: string, first: number | null, reader: VideoReader): Promise<ContinueWatchingEntry[]> {
    const n = pageSize(first, Math.min(20, this.max), this.max);
    if (n === 0) return [];
    const watched = await this.history.recent(userId, n);
    const videos = await reader.loadMany(watched.map((w) => w.videoId));
    const entries: ContinueWatchingEntry[] = [];
    const deleted: string[] = [];
    watched.forEach((w, i) => {
      const v = videos[i];
      if (v instanceof Error) throw v;
      if (!v) deleted.push(w.videoId);
      else if (canView(v, userId)) entries.push({ video: v, positionSeconds: w.positionSeconds, watchedAt: w.watchedAt });
    });
    await this.history.remove(userId, deleted);
    return entries;
  }
}
