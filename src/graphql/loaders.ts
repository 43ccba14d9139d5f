import DataLoader from 'dataloader';
import type { VideoCache } from '../cache/video-cache';
import type { CaptionEntity, RenditionEntity, UserEntity, VideoEntity } from '../db/entities';
import type { CaptionRepository } from '../db/repositories/caption.repository';
import type { UserRepository } from '../db/repositories/user.repository';
import type { VideoRepository } from '../db/repositories/video.repository';
import type { ViewCounter } from '../playback/view-counter';

export interface LoaderDeps {
  users: UserRepository;
  videos: VideoRepository;
  captions: Pick<CaptionRepository, 'forVideos'>;
  /** Video rows by id come from the Redis cache. */
  cache: VideoCache;
  views: ViewCounter;
}

/** Per-request batchers: one statement per kind of row, whatever the page size. */
export function createLoaders(deps: LoaderDeps) {
  const renditions = new DataLoader<string, RenditionEntity[]>(async (videoIds) => {
    const rows = await deps.videos.renditionsFor(videoIds);
    return videoIds.map((id) => rows.filter((r) => r.videoId === id));
  });
  const { cache, views } = deps;
  return {
    user: new DataLoader<string, UserEntity | null>(async (ids) => {
      const rows = await deps.users.findByIds(ids);
      return orderByKeys(ids, rows, (u) => u.id);
    }),
    video: new DataLoader<string, VideoEntity | null>(async (ids) => {
      const records = await cache.getMany(ids);
      // The cached record carries the ladder: later renditions lookups cost nothing.
      for (const rec of records) if (rec) renditions.prime(rec.video.id, rec.renditions);
      return records.map((rec) => rec?.video ?? null);
    }),
    renditions,
    /** Caption tracks of any number of videos in one statement. */
    captions: new DataLoader<string, CaptionEntity[]>(async (videoIds) => {
      const rows = await deps.captions.forVideos(videoIds);
      return videoIds.map((id) => rows.filter((c) => c.videoId === id));
    }),
    /** Live view counts (Redis), null where only the flushed column knows. */
    viewCount: new DataLoader<string, number | null>((ids) => views.counts(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** DataLoader contract: results in key order, null where a key has no row. */
export function orderByKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => byKey.get(k) ?? null);
}
