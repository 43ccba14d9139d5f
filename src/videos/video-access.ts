import type { VideoEntity } from '../db/entities';
import { Visibility } from '../domain/video-status';

/** A per-request reader of video rows (the GraphQL DataLoader over the metadata cache). */
export interface VideoReader {
  load(id: string): Promise<VideoEntity | null>;
  loadMany(ids: readonly string[]): Promise<(VideoEntity | null | Error)[]>;
}

/**
 * The one rule for who may see a video: owners see theirs in every state; everyone else
 * sees PUBLIC and UNLISTED ones (UNLISTED are never listed, but open by id).
 */
export function canView(video: Pick<VideoEntity, 'ownerId' | 'visibility'>, viewerId: string | null | undefined): boolean {
  return video.visibility !== Visibility.PRIVATE || video.ownerId === viewerId;
}

/**
 * Who may download a video they can see as an MP4: its owner always, everyone else only when the
 * owner allows it (Video.allowDownload). Segments stay fetchable by any viewer either way; this is
 * the platform's offer, as on PeerTube and YouTube, not copy protection.
 */
export function canDownload(video: Pick<VideoEntity, 'ownerId' | 'allowDownload'>, viewerId: string | null | undefined): boolean {
  return video.ownerId === viewerId || video.allowDownload === true;
}

/**
 * The video if `viewerId` may see it; null both when missing and when not visible, so private
 * videos do not leak their existence. `id` is canonical (parsed at the boundary); reads go
 * through the request's loader (and so the cache).
 */
export async function findVisible(reader: Pick<VideoReader, 'load'>, id: string, viewerId: string | null): Promise<VideoEntity | null> {
  const video = await reader.load(id);
  return video && canView(video, viewerId) ? video : null;
}
