import type { VideoRepository } from '../db/repositories/video.repository';
import type { DeletionSubscriber } from '../events/event-bus';
import type { ObjectStorage } from '../storage/storage';
import { deleteVideoObjects } from '../storage/video-objects';

/** The abort reason of work whose video was deleted. */
export class VideoDeletedError extends Error {
  constructor(videoId: string) {
    super(`video ${videoId} was deleted`);
    this.name = 'VideoDeletedError';
  }
}

export interface DeletionWatchDeps {
  bus: DeletionSubscriber;
  videos: Pick<VideoRepository, 'findById'>;
  storage: Pick<ObjectStorage, 'deletePrefix'>;
  /** How often the row is checked too: pub/sub drops what is published while the subscriber reconnects. */
  pollMs: number;
}

/**
 * Lets work on a video (a transcode) stop as soon as the video is deleted: the lifecycle's
 * announcement aborts an AbortSignal, which kills ffmpeg; a slow poll of the row covers a missed
 * announcement. Afterwards, nothing the work wrote may outlive the delete.
 */
export class DeletionWatch {
  constructor(private readonly deps: DeletionWatchDeps) {}

  /** A signal aborted (with VideoDeletedError) once the video is deleted; `stop()` when the work ends. */
  watch(videoId: string): { signal: AbortSignal; stop(): void } {
    const controller = new AbortController();
    const abort = () => {
      if (!controller.signal.aborted) controller.abort(new VideoDeletedError(videoId));
    };
    const unwatch = this.deps.bus.watchDeletion(videoId, abort);
    const timer = setInterval(() => {
      this.deps.videos.findById(videoId).then((row) => row || abort(), () => undefined);
    }, this.deps.pollMs);
    timer.unref();
    return {
      signal: controller.signal,
      stop: () => {
        clearInterval(timer);
        unwatch();
      },
    };
  }

  /**
   * When the video's row is gone, removes every object of it (both prefixes): what the work wrote after
   * the delete's own storage purge (a generation being uploaded, a first-playable version). True
   * when the video was deleted.
   */
  async purgeIfDeleted(videoId: string): Promise<boolean> {
    if (await this.deps.videos.findById(videoId)) return false;
    await deleteVideoObjects(this.deps.storage, videoId);
    return true;
  }
}
