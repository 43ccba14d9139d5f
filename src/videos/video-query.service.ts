import type { VideoEntity } from '../db/entities';
import type { KeysetPage, VideoRepository } from '../db/repositories/video.repository';
import { fullTextQuery } from './video-search';

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** Read side of videos: visibility rules applied before anything leaves the service. */
export class VideoQueryService {
  constructor(private readonly videos: VideoRepository) {}

  /** Public READY videos only (unlisted never), optionally one uploader's (a canonical id) and matching a search. */
  async listPublic(page: KeysetPage, filter: { search?: string | null; uploaderId?: string | null } = {}): Promise<Page<VideoEntity>> {
    const match = fullTextQuery(filter.search);
    return toPage(await this.videos.listPublic(page, { match, uploaderId: filter.uploaderId ?? null }), page.limit);
  }

  async listByOwner(ownerId: string, viewerId: string | null, page: KeysetPage): Promise<Page<VideoEntity>> {
    return toPage(await this.videos.listByOwner(ownerId, page, ownerId === viewerId), page.limit);
  }
}

function toPage<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), hasNextPage: rows.length > limit };
}
