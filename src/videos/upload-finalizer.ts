import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import { AppError, serviceUnavailable, STORAGE_UNAVAILABLE_MESSAGE } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { checkMedia } from '../media/media-policy';
import type { MediaTools } from '../media/media-tools';
import { ProbeError } from '../media/probe';
import { sourceKeyOf } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { ResumableStore } from '../storage/tus-store';
import { deleteVideoObjects } from '../storage/video-objects';
import type { QueuePositions } from './queue-positions';
import type { UploadProgress } from './upload-progress';
import type { SourceFacts, VideoLifecycle } from './video-lifecycle';

/** ffprobe reads the source through this URL; it only has to outlive the probe. */
const PROBE_URL_TTL_SECONDS = 15 * 60;

export interface ReceivedSource {
  sizeBytes: number;
  sha256: string;
}

/** Purges of a discarded upload's bytes: first after 10 s, then doubling, 12 attempts (about 11 hours). */
const STORAGE_RETRY = { delay: 10_000, attempts: 12, backoff: { type: 'exponential', delay: 10_000 } };

export interface UploadFinalizerDeps {
  tools: Pick<MediaTools, 'probe' | 'checkDecodable'>;
  logger: Logger;
  videos: Pick<VideoRepository, 'findById' | 'queuedIds'>;
  lifecycle: Pick<VideoLifecycle, 'queue' | 'failUpload' | 'discardUpload'>;
  storage: Pick<ObjectStorage, 'presignedGetUrl' | 'deletePrefix' | 'ping'>;
  resumable: Pick<ResumableStore, 'remove'>;
  jobs: Pick<JobQueue, 'add'>;
  progress: Pick<UploadProgress, 'received' | 'forget'>;
  /** Tells the video where it stands in the queue once its job is in. */
  positions?: Pick<QueuePositions, 'announce'>;
}

/** QUEUED videos read per batch by the sweep. */
const SWEEP_BATCH = 200;

/**
 * How both upload paths end: validate the stored source (the media policy, then a decode of its
 * first and last frames), move the video to QUEUED with what it is and enqueue exactly one
 * transcode job — or discard every trace of it. A validated source is never discarded: once the
 * row is QUEUED, a failure to enqueue leaves it QUEUED with its source, and the sweep
 * (`requeueQueued`, run by the worker's upload cleanup) enqueues it later.
 */
export class UploadFinalizer {
  constructor(private readonly deps: UploadFinalizerDeps) {}

  async complete(video: VideoEntity, source: ReceivedSource): Promise<VideoEntity> {
    this.deps.progress.received(video.id, source.sizeBytes);
    await this.deps.lifecycle.queue(video.id, await this.inspect(video, source));
    return this.ensureQueued(video.id);
  }

  /**
   * Enqueues the transcode job of a QUEUED video. The job id is fixed per video, so a retried
   * final request (or a crash between the status update and the enqueue) never makes a second job.
   * An enqueue that fails is logged, not thrown: the upload succeeded (the row is QUEUED, the source
   * validated), and the sweep enqueues the job once the queue works.
   */
  async ensureQueued(videoId: string): Promise<VideoEntity> {
    const row = await this.deps.videos.findById(videoId);
    if (!row) throw new AppError('NOT_FOUND', 'Video not found');
    if (row.status === VideoStatus.QUEUED) {
      await this.deps.jobs.add('video.transcode', { videoId }).catch((err: unknown) => {
        this.deps.logger.error({ err, videoId }, 'could not enqueue the transcode of a validated upload; the sweep will');
      });
      await this.deps.positions?.announce(videoId);
    }
    return row;
  }

  /**
   * Ends an unfinished upload: deletes the row (nobody was ever told its id) or leaves it FAILED
   * with the reason, then removes every stored byte (parts, tus bookkeeping, the source). The
   * guarded write comes first and decides: a row that already left UPLOADING — validated and
   * QUEUED, or later — keeps its source whatever failed afterwards, and a write that cannot be
   * made (database down) deletes nothing.
   */
  async discard(videoId: string, reason: string, keepRowAsFailed: boolean): Promise<void> {
    const { resumable, storage, lifecycle, progress, logger, videos } = this.deps;
    progress.forget(videoId);
    const ended = keepRowAsFailed ? await lifecycle.failUpload(videoId, reason) : await lifecycle.discardUpload(videoId, reason);
    if (!ended) {
      const row = await videos.findById(videoId);
      if (row && row.status !== VideoStatus.UPLOADING && row.status !== VideoStatus.FAILED) {
        logger.warn({ videoId, status: row.status, reason }, 'not discarding a validated upload');
        return;
      }
    }
    // Storage may be what failed (S3 away): then the purge job deletes the bytes and aborts the
    // parts once it is back, retrying for hours.
    const removed = await resumable
      .remove(videoId)
      .then(() => deleteVideoObjects(storage, videoId))
      .then(
        () => true,
        (err: unknown) => {
          logger.warn({ err, videoId }, 'could not delete the objects of a discarded upload; the purge job will');
          return false;
        },
      );
    if (!removed) {
      await this.deps.jobs.add('video.purge', { videoId }, STORAGE_RETRY).catch((err: unknown) => {
        logger.error({ err, videoId }, 'could not schedule the purge of a discarded upload; npm run audit will find its objects');
      });
    }
  }

  /**
   * The sweep: enqueues the transcode job of every QUEUED video. Adding is a no-op while the job
   * exists (fixed job id), so this only brings back jobs whose enqueue failed after the row became
   * QUEUED. Returns how many videos were looked at.
   */
  async requeueQueued(): Promise<number> {
    let after: string | null = null;
    let seen = 0;
    for (;;) {
      const ids = await this.deps.videos.queuedIds(after, SWEEP_BATCH);
      for (const videoId of ids) await this.deps.jobs.add('video.transcode', { videoId });
      seen += ids.length;
      if (ids.length < SWEEP_BATCH) return seen;
      after = ids[ids.length - 1]!;
    }
  }

  /** What the stored source is, or UNSUPPORTED_MEDIA with the reason. */
  private async inspect(video: VideoEntity, source: ReceivedSource): Promise<SourceFacts> {
    const { tools, storage } = this.deps;
    const url = await storage.presignedGetUrl(sourceKeyOf(video), PROBE_URL_TTL_SECONDS);
    try {
      const p = await tools.probe(url);
      const verdict = checkMedia(p);
      if (!verdict.ok) throw new AppError('UNSUPPORTED_MEDIA', verdict.reason);
      await tools.checkDecodable(url, p.duration);
      return {
        sizeBytes: source.sizeBytes,
        sourceSha256: source.sha256,
        durationSeconds: p.duration,
        width: p.displayWidth,
        height: p.displayHeight,
        sourceVideoCodec: p.videoCodec ?? 'unknown',
        sourceAudioCodec: p.audioCodec,
      };
    } catch (err) {
      if (err instanceof ProbeError) {
        // ffprobe reads the source from storage: a storage that went away is not a bad file.
        if (!(await storage.ping().then(() => true, () => false))) throw serviceUnavailable(STORAGE_UNAVAILABLE_MESSAGE);
        throw new AppError('UNSUPPORTED_MEDIA', `Not a playable video: ${err.message}`);
      }
      throw err;
    }
  }
}
