import type { Readable } from 'node:stream';
import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { forbidden, notFound } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { deleteVideoObjects } from '../storage/video-objects';
import type { ObjectStorage } from '../storage/storage';
import { canView } from './video-access';
import { detailsPatch, type VideoUpdate } from './video-details';
import type { CaptionInput, CaptionService } from './caption.service';
import type { PosterService } from './poster.service';
import type { VideoLifecycle } from './video-lifecycle';

export type { VideoUpdate };

/** An update may also re-pick the poster from a time of the video. */
export interface VideoEdit extends VideoUpdate {
  posterTimeSeconds?: number | null;
}

const PURGE_DELAY_MS = 30_000;
/** The purge retries until the prefix is empty: 12 attempts, 10 s doubling, about 11 hours in all. */
const PURGE_RETRY = { attempts: 12, backoff: { type: 'exponential', delay: 10_000 } };

export interface VideoEditDeps {
  videos: Pick<VideoRepository, 'findById' | 'renditionsFor'>;
  lifecycle: Pick<VideoLifecycle, 'edit' | 'delete'>;
  /** Live view counts (playback/view-counter.ts): a deleted video's count goes with it. */
  views: { forget(videoId: string): Promise<void> };
  storage: Pick<ObjectStorage, 'deletePrefix'>;
  jobs: Pick<JobQueue, 'add' | 'cancel'>;
  posters: Pick<PosterService, 'fromTime' | 'fromImage'>;
  captions: Pick<CaptionService, 'add' | 'remove'>;
  logger: Logger;
}

/** The owner's edits. Ids are canonical (domain/video-id.ts); the lifecycle writes and invalidates. */
export class VideoEditService {
  constructor(private readonly deps: VideoEditDeps) {}

  /**
   * Text is checked before anything is written; a poster time is applied first (it is the part
   * that can fail on media grounds), then the details.
   */
  async update(userId: string, id: string, input: VideoEdit): Promise<VideoEntity> {
    const video = await this.ownedVideo(userId, id);
    const patch = detailsPatch(input);
    if (input.posterTimeSeconds !== undefined && input.posterTimeSeconds !== null) {
      await this.deps.posters.fromTime(video, await this.deps.videos.renditionsFor([id]), input.posterTimeSeconds);
    }
    await this.deps.lifecycle.edit(id, patch);
    return this.fresh(id);
  }

  /** `setPoster`: the owner's image becomes the poster (PosterService has the rules); the file is opened only once ownership is settled. */
  async setPoster(userId: string, id: string, openImage: () => Promise<Readable>): Promise<VideoEntity> {
    const video = await this.ownedVideo(userId, id);
    await this.deps.posters.fromImage(video, await this.deps.videos.renditionsFor([id]), await openImage());
    return this.fresh(id);
  }

  /** `addCaption`: a track from the owner's WebVTT or SRT file (CaptionService has the rules), opened once ownership is settled. */
  async addCaption(userId: string, id: string, input: CaptionInput, openFile: () => Promise<Readable>): Promise<VideoEntity> {
    await this.deps.captions.add(await this.ownedVideo(userId, id), input, openFile);
    return this.fresh(id);
  }

  /** `removeCaption`: the track of that language goes, from the manifests and from storage. */
  async removeCaption(userId: string, id: string, language: string): Promise<VideoEntity> {
    await this.deps.captions.remove(await this.ownedVideo(userId, id), language);
    return this.fresh(id);
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
      await deleteVideoObjects(this.deps.storage, id);
      storageDone = true;
    } catch (err) {
      this.deps.logger.warn({ err, videoId: id }, 'storage delete failed; left to the purge job');
    }
    if (job === 'running' || !storageDone) await this.deps.jobs.add('video.purge', { videoId: id }, { delay: PURGE_DELAY_MS, ...PURGE_RETRY });
  }

  private async fresh(id: string): Promise<VideoEntity> {
    const video = await this.deps.videos.findById(id);
    if (!video) throw notFound();
    return video;
  }

  /** Strangers get NOT_FOUND for what they may not see (no existence leak); other viewers FORBIDDEN. */
  private async ownedVideo(userId: string, id: string): Promise<VideoEntity> {
    const video = await this.deps.videos.findById(id);
    if (!video || !canView(video, userId)) throw notFound();
    if (video.ownerId !== userId) throw forbidden('Only the uploader may change this video');
    return video;
  }
}
