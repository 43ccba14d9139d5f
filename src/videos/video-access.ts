import type { VideoEntity } from '../db/entities';
import { isVideoId } from '../domain/video-id';
import { Visibility } from '../domain/video-status';

/**
 * The one rule for who may see a video: owners see theirs in every state; everyone else
 * sees PUBLIC and UNLISTED ones (UNLISTED are never listed, but open by id).
 */
export function canView(video: Pick<VideoEntity, 'ownerId' | 'visibility'>, viewerId: string | null | undefined): boolean {
  return video.visibility !== Visibility.PRIVATE || video.ownerId === viewerId;
}

/**
 * The video if `viewerId` may see it; null both when missing and when not visible, so private
 * videos do not leak their existence. Reads through the request's loader (and so the cache).
 */
export async function findVisible(
  loader: { load(id: string): Promise<VideoEntity | null> },
  id: string,
  viewerId: string | null,
): Promise<VideoEntity | null> {
  if (!isVideoId(id)) return null;
  const video = await loader.load(id);
  return video && canView(video, viewerId) ? video : null;
}
