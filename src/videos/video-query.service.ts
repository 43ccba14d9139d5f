import type { VideoEntity } from '../db/entities';
import type { KeysetPage, VideoRepository } from '../db/repositories/video.repository';
import { canView } from './video-access';
import { isVideoId } from './video-id';

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** Read side of videos: visibility rules applied before anything leaves the service. */
export class VideoQueryService {
  constructor(private readonly videos: VideoRepository) {}

  /** null both when missing and when not visible, so private videos do not leak their existence. */
  async getVisible(id: string, viewerId: string | null, loaders?: { video: { load(id: string): Promise<VideoEntity | null> } }): Promise<VideoEntity | null> {
    if (!isVideoId(id)) return null;
    // Through the request's loader (and so the Redis cache) when there is one; the rule below applies either way.
    const video = loaders ? await loaders.video.load(id) : await this.videos.findById(id);
    return video && canView(video, viewerId) ? video : null;
  }

  async listPublic(page: KeysetPage): Promise<Page<VideoEntity>> {
    return toPage(await this.videos.listPublic(page), page.limit);
  }

  async listByOwner(ownerId: string, viewerId: string | null, page: KeysetPage): Promise<Page<VideoEntity>> {
    return toPage(await this.videos.listByOwner(ownerId, page, ownerId === viewerId), page.limit);
  }
}

function toPage<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), hasNextPage: rows.length > limit };
}
