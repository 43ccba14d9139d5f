import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { forbidden, notFound } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { videoPrefix } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { canView } from './video-access';
import { detailsPatch, type VideoUpdate } from './video-details';
import type { VideoLifecycle } from './video-lifecycle';

export type { VideoUpdate };

const PURGE_DELAY_MS = 30_000;

export interface VideoEditDeps {
  videos: Pick<VideoRepository, 'findById'>;
  lifecycle: Pick<VideoLifecycle, 'edit' | 'delete'>;
  /** Live view counts (playback/view-counter.ts): a deleted video's count goes with it. */
  views: { forget(videoId: string): Promise<void> };
  storage: Pick<ObjectStorage, 'deletePrefix'>;
  jobs: Pick<JobQueue, 'add' | 'cancel'>;
  logger: Logger;
}

/** The owner's edits. Ids are canonical (domain/video-id.ts); the lifecycle writes and invalidates. */
export class VideoEditService {
  constructor(private readonly deps: VideoEditDeps) {}

  async update(userId: string, id: string, input: VideoUpdate): Promise<VideoEntity> {
    await this.ownedVideo(userId, id);
    await this.deps.lifecycle.edit(id, detailsPatch(input));
    const fresh = await this.deps.videos.findById(id);
    if (!fresh) throw notFound();
    return fresh;
  }

  /**
   * Rows first (the video is gone for every reader at once), then queued job, counters and storage.
   * Whatever cannot finish now (a transcode still running, storage down) is left to a purge job.
   */
  async delete(userId: string, id: string): Promise<void> {
    const video = await this.ownedVideo(userId, id);
    const job = await this.deps.jobs.cancel('video.transcode', id);
    if (!(await this.deps.lifecycle.delete(video))) throw notFound();
    await this.deps.views.forget(id);
    let storageDone = false;
    try {
      await this.deps.storage.deletePrefix(videoPrefix(id));
      storageDone = true;
    } catch (err) {
      this.deps.logger.warn({ err, videoId: id }, 'storage delete failed; left to the purge job');
    }
    if (job === 'running' || !storageDone) await this.deps.jobs.add('video.purge', { videoId: id }, { delay: PURGE_DELAY_MS });
  }

  /** Strangers get NOT_FOUND for what they may not see (no existence leak); other viewers FORBIDDEN. */
  private async ownedVideo(userId: string, id: string): Promise<VideoEntity> {
    const video = await this.deps.videos.findById(id);
    if (!video || !canView(video, userId)) throw notFound();
    if (video.ownerId !== userId) throw forbidden('Only the uploader may change this video');
    return video;
  }
}
