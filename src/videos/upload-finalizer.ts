import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { AppError } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { transcodeJobId } from '../jobs/job-types';
import { checkMedia } from '../media/media-policy';
import { checkDecodable, probe, ProbeError } from '../media/probe';
import { sourceKey, videoPrefix } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { ResumableStore } from '../storage/tus-store';
import type { UploadProgress } from './upload-progress';
import { VideoStatus } from './video-status';
import { WebhookEvent, type VideoEvents } from '../webhooks/webhook-events';

/** ffprobe reads the source through this URL; it only has to outlive the probe. */
const PROBE_URL_TTL_SECONDS = 15 * 60;

export interface ReceivedSource {
  sizeBytes: number;
  sha256: string;
}

/**
 * How both upload paths end: validate the stored source with ffprobe, record what it is, move
 * the video to QUEUED and enqueue exactly one transcode job — or discard every trace of it.
 */
export class UploadFinalizer {
  constructor(
    private readonly deps: {
      ffprobePath: string;
      logger: Logger;
      videos: VideoRepository;
      storage: ObjectStorage;
      resumable: ResumableStore;
      jobs: JobQueue;
      progress: UploadProgress;
      events: VideoEvents;
    },
  ) {}

  async complete(video: VideoEntity, source: ReceivedSource): Promise<VideoEntity> {
    const { videos, storage, progress, ffprobePath } = this.deps;
    progress.received(video.id, source.sizeBytes);
    const url = await storage.presignedGetUrl(sourceKey(video.id), PROBE_URL_TTL_SECONDS);
    let facts;
    try {
      const p = await probe(ffprobePath, url);
      const verdict = checkMedia(p);
      if (!verdict.ok) throw new AppError('UNSUPPORTED_MEDIA', verdict.reason);
      await checkDecodable(ffprobePath, url, p.duration);
      facts = {
        sizeBytes: source.sizeBytes,
        sourceSha256: source.sha256,
        durationSeconds: p.duration,
        width: p.displayWidth,
        height: p.displayHeight,
        sourceVideoCodec: p.videoCodec ?? 'unknown',
        sourceAudioCodec: p.audioCodec,
      };
    } catch (err) {
      if (err instanceof ProbeError) throw new AppError('UNSUPPORTED_MEDIA', `Not a playable video: ${err.message}`);
      throw err;
    }
    if (await videos.markQueued(video.id, facts)) await this.deps.events.emit(WebhookEvent.UPLOAD_COMPLETED, video.id);
    return this.ensureQueued(video.id);
  }

  /**
   * Enqueues the transcode job of a QUEUED video. The job id is fixed per video, so a retried
   * final request (or a crash between the status update and the enqueue) never makes a second job.
   */
  async ensureQueued(videoId: string): Promise<VideoEntity> {
    const row = await this.deps.videos.findById(videoId);
    if (!row) throw new AppError('NOT_FOUND', 'Video not found');
    if (row.status === VideoStatus.QUEUED) {
      await this.deps.jobs.add('video.transcode', { videoId }, { jobId: transcodeJobId(videoId) });
      this.deps.progress.queued(videoId, row.sizeBytes ?? 0);
    }
    return row;
  }

  /**
   * Removes every stored byte of an unfinished upload (parts, tus bookkeeping, the source) and
   * either deletes the row (nobody was ever told its id) or leaves it FAILED with the reason.
   */
  async discard(videoId: string, reason: string, keepRowAsFailed: boolean): Promise<void> {
    const { resumable, storage, videos, progress, logger } = this.deps;
    await resumable.remove(videoId);
    await storage.deletePrefix(videoPrefix(videoId)).catch((err: unknown) => {
      logger.error({ err, videoId }, 'could not delete the objects of a discarded upload');
    });
    if (!keepRowAsFailed) await videos.deleteUploading(videoId);
    else if (await videos.markUploadFailed(videoId, reason)) await this.deps.events.emit(WebhookEvent.VIDEO_FAILED, videoId);
    progress.failed(videoId, reason);
  }
}
