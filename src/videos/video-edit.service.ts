import type { VideoCache } from '../cache/video-cache';
import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { VideoEditRepository, VideoPatch } from '../db/repositories/video-edit.repository';
import type { VideoRepository } from '../db/repositories/video.repository';
import { badInput, forbidden, notFound } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { transcodeJobId } from '../jobs/job-types';
import type { ViewCounter } from '../playback/view-counter';
import { videoPrefix } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { canView } from './video-access';
import { isVideoId } from './video-id';
import { Visibility } from './video-status';
import { WebhookEvent, type VideoEvents } from '../webhooks/webhook-events';

export interface VideoUpdate {
  title?: string | null;
  description?: string | null;
  visibility?: Visibility | null;
}

const PURGE_DELAY_MS = 30_000;

export interface VideoEditDeps {
  videos: VideoRepository;
  edits: VideoEditRepository;
  cache: VideoCache;
  views: ViewCounter;
  storage: ObjectStorage;
  jobs: JobQueue;
  events: VideoEvents;
  logger: Logger;
}

/** The owner's edits. Every write ends with a cache invalidation, which reaches all processes. */
export class VideoEditService {
  constructor(private readonly deps: VideoEditDeps) {}

  async update(userId: string, id: string, input: VideoUpdate): Promise<VideoEntity> {
    await this.ownedVideo(userId, id);
    await this.deps.edits.update(id, validatePatch(input));
    await this.deps.cache.invalidate(id);
    const fresh = await this.deps.videos.findById(id);
    if (!fresh) throw notFound();
    return fresh;
  }

  /**
   * Rows first (the video is gone for every reader at once), then cache, queued job and storage.
   * Whatever cannot finish now (a transcode still running, storage down) is left to a purge job.
   */
  async delete(userId: string, id: string): Promise<void> {
    const video = await this.ownedVideo(userId, id);
    const job = await this.deps.jobs.cancel(transcodeJobId(id));
    if (!(await this.deps.edits.delete(id))) throw notFound();
    await this.deps.events.emitFor(WebhookEvent.VIDEO_DELETED, video);
    await this.deps.cache.invalidate(id);
    await this.deps.views.forget(id);
    let storageDone = false;
    try {
      await this.deps.storage.deletePrefix(videoPrefix(id));
      storageDone = true;
    } catch (err) {
      this.deps.logger.warn({ err, videoId: id }, 'storage delete failed; left to the purge job');
    }
    if (job === 'running' || !storageDone) {
      await this.deps.jobs.add('video.purge', { videoId: id }, { jobId: `purge-${id}`, delay: PURGE_DELAY_MS });
    }
  }

  /** Strangers get NOT_FOUND for what they may not see (no existence leak); other viewers FORBIDDEN. */
  private async ownedVideo(userId: string, id: string): Promise<VideoEntity> {
    if (!isVideoId(id)) throw badInput('Malformed video id', { field: 'id' });
    const video = await this.deps.videos.findById(id);
    if (!video || !canView(video, userId)) throw notFound();
    if (video.ownerId !== userId) throw forbidden('Only the uploader may change this video');
    return video;
  }
}

export function validatePatch(input: VideoUpdate): VideoPatch {
  const patch: VideoPatch = {};
  if (input.title !== undefined && input.title !== null) {
    const title = input.title.trim();
    if (!title || title.length > 200) throw badInput('`title` must be 1 to 200 characters', { field: 'title' });
    patch.title = title;
  }
  if (input.description !== undefined) {
    const d = input.description?.trim() ?? '';
    if (d.length > 5000) throw badInput('`description` must be at most 5000 characters', { field: 'description' });
    patch.description = d || null;
  }
  if (input.visibility !== undefined && input.visibility !== null) {
    if (!Object.values(Visibility).includes(input.visibility)) throw badInput('Unknown visibility', { field: 'visibility' });
    patch.visibility = input.visibility;
  }
  return patch;
}
