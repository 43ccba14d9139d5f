import type { VideoEntity } from '../db/entities';
import { Visibility } from './video-status';

/**
 * The one rule for who may see a video: owners see theirs in every state; everyone else
 * sees PUBLIC and UNLISTED ones (UNLISTED are never listed, but open by id).
 */
export function canView(video: Pick<VideoEntity, 'ownerId' | 'visibility'>, viewerId: string | null | undefined): boolean {
  return video.visibility !== Visibility.PRIVATE || video.ownerId === viewerId;
}
