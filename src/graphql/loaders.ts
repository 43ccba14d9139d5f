import DataLoader from 'dataloader';
import type { RenditionEntity, UserEntity, VideoEntity } from '../db/entities';
import type { UserRepository } from '../db/repositories/user.repository';
import type { VideoRepository } from '../db/repositories/video.repository';

export interface LoaderDeps {
  users: UserRepository;
  videos: VideoRepository;
}

/** Per-request batchers: one statement per kind of row, whatever the page size. */
export function createLoaders(deps: LoaderDeps) {
  return {
    user: new DataLoader<string, UserEntity | null>(async (ids) => {
      const rows = await deps.users.findByIds(ids);
      return orderByKeys(ids, rows, (u) => u.id);
    }),
    video: new DataLoader<string, VideoEntity | null>(async (ids) => {
      const rows = await deps.videos.findByIds(ids);
      return orderByKeys(ids, rows, (v) => v.id);
    }),
    renditions: new DataLoader<string, RenditionEntity[]>(async (videoIds) => {
      const rows = await deps.videos.renditionsFor(videoIds);
      return videoIds.map((id) => rows.filter((r) => r.videoId === id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** DataLoader contract: results in key order, null where a key has no row. */
export function orderByKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => byKey.get(k) ?? null);
}
