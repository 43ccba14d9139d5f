import type { VideoEntity } from '../db/entities';

/** Builds the client-facing URLs of a video's deliverable files (GET /videos/:id/<path>). */
export class MediaUrls {
  constructor(private readonly publicUrl: string) {}

  file(video: Pick<VideoEntity, 'id'>, path: string): string {
    return `${this.publicUrl}/videos/${video.id}/${path}`;
  }
}
