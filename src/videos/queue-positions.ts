import { VideoStatus } from '../domain/video-status';
import type { ProgressPublisher } from '../events/event-bus';
import { jobPercent } from '../events/progress-model';
import type { JobQueue } from '../jobs/job-queue';

/**
 * Positions are announced for this many waiting jobs at each change; one further back hears its
 * position when it is enqueued (behind every waiting job), then again once it moves up into them.
 */
const MAX_ANNOUNCED = 200;

/**
 * `queuePosition` on QUEUED events: how many transcode jobs will start before a video's own. It
 * changes when a job leaves the waiting list (a worker takes it), so the worker announces every
 * waiting video's position then, and the upload announces its own when it enqueues. Each
 * announcement only applies while the video is still QUEUED and when its position changed (the
 * snapshot store checks both), so a late one never drags a video that started back to QUEUED.
 */
export class QueuePositions {
  constructor(
    private readonly deps: {
      jobs: Pick<JobQueue, 'waitingVideos' | 'waitingCount'>;
      events: ProgressPublisher;
    },
  ) {}

  /** Every waiting video's position, or only `videoId`'s. Never throws (progress is advisory). */
  async announce(videoId?: string): Promise<void> {
    let ids: string[];
    try {
      ids = await this.deps.jobs.waitingVideos('video.transcode', MAX_ANNOUNCED);
    } catch {
      return;
    }
    const publish = (id: string, queuePosition: number) =>
      this.deps.events.publish({ videoId: id, status: VideoStatus.QUEUED, phase: 'QUEUED', percent: jobPercent('QUEUED', 0), queuePosition, ifStatus: VideoStatus.QUEUED });
    await Promise.all(ids.map((id, position) => (videoId === undefined || id === videoId ? publish(id, position) : undefined)));
    if (videoId !== undefined && !ids.includes(videoId)) {
      // Not in the window: past it when more jobs wait than it holds, and then, just enqueued,
      // behind every one of them.
      const waiting = await this.deps.jobs.waitingCount().catch(() => 0);
      if (waiting > MAX_ANNOUNCED) await publish(videoId, waiting - 1);
    }
  }
}
