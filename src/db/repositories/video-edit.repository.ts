import type { DataSource } from 'typeorm';
import { VideoEntity } from '../entities';

export type VideoPatch = Partial<Pick<VideoEntity, 'title' | 'description' | 'visibility'>>;

/** Owner edits of video rows (updateVideo, deleteVideo). */
export class VideoEditRepository {
  constructor(private readonly ds: DataSource) {}

  async update(id: string, patch: VideoPatch): Promise<void> {
    if (Object.keys(patch).length) await this.ds.getRepository(VideoEntity).update({ id }, patch);
  }

  /** Renditions and watch history go with the row (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const result = await this.ds.getRepository(VideoEntity).delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
