import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { isVideoJob, jobIdFor, jobIdOf, QUEUE_NAME, type JobName, type JobPayloads, type VideoJobName } from './job-types';

const defaults: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const LIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

export interface LiveJob {
  id: string;
  name: JobName;
  videoId: string | null;
  state: (typeof LIVE_STATES)[number];
}

/** The only way the platform enqueues work. */
export class JobQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: `${prefix}:bull`, defaultJobOptions: defaults });
  }

  /**
   * A video's job gets its fixed id (jobIdFor), so a second add while the first exists is a no-op.
   * `attempts` and `backoff` replace the defaults for jobs with a retry schedule of their own (webhooks).
   */
  async add<N extends JobName>(name: N, payload: JobPayloads[N], opts: Pick<JobsOptions, 'delay' | 'attempts' | 'backoff'> = {}): Promise<void> {
    const jobId = isVideoJob(name) ? jobIdOf(name, payload as JobPayloads[VideoJobName]) : undefined;
    await this.queue.add(name, payload, { ...opts, jobId });
  }

  /**
   * For work asked for on demand (downloads): the video job for `payload` is queued unless it is
   * already waiting or running, so any number of concurrent requests make one job. A job that
   * completed without leaving its output behind is queued again; a failed one is reported as such
   * until `retryFailedAfterMs` has passed since it failed, then retried.
   */
  async ensure<N extends VideoJobName>(name: N, payload: JobPayloads[N], opts: { retryFailedAfterMs: number }): Promise<'pending' | 'failed'> {
    const job = await this.queue.getJob(jobIdOf(name, payload));
    const state = job ? await job.getState() : 'unknown';
    if (job && state === 'failed') {
      if (Date.now() - (job.finishedOn ?? 0) < opts.retryFailedAfterMs) return 'failed';
      await job.retry('failed').catch(() => undefined);
      return 'pending';
    }
    if (job && state === 'completed') await job.remove().catch(() => undefined);
    await this.add(name, payload);
    return 'pending';
  }

  /** Removes a video's waiting, delayed or finished job; a running one cannot be removed (its worker holds a lock). */
  async cancel(name: VideoJobName, videoId: string): Promise<'removed' | 'absent' | 'running'> {
    const job = await this.queue.getJob(jobIdFor(name, videoId));
    if (!job) return 'absent';
    if (await job.isActive()) return 'running';
    try {
      await job.remove();
      return 'removed';
    } catch {
      return (await job.isActive()) ? 'running' : 'absent';
    }
  }

  /**
   * The videos whose `name` job is waiting, the next to start first, among the first `limit`
   * waiting jobs of any kind (the queue is shared).
   */
  async waitingVideos(name: VideoJobName, limit: number): Promise<string[]> {
    const jobs = await this.queue.getJobs(['wait'], 0, limit - 1, true);
    return jobs.filter((j) => j?.name === name).map((j) => (j.data as { videoId: string }).videoId);
  }

  /** How many jobs (of any name) wait for a worker. */
  waitingCount(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  /** Registers (or updates) a repeating job; BullMQ keeps one scheduler per id however many processes call this. */
  async schedule<N extends JobName>(schedulerId: string, name: N, everySeconds: number, payload: JobPayloads[N]): Promise<void> {
    await this.queue.upsertJobScheduler(
      schedulerId,
      { every: everySeconds * 1000 },
      { name, data: payload, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
    );
  }

  /** Jobs still to run or running (for the consistency audit): id, name, the video they are about, state. */
  async liveJobs(): Promise<LiveJob[]> {
    const found: LiveJob[] = [];
    for (const state of LIVE_STATES) {
      for (const job of await this.queue.getJobs([state])) {
        if (!job?.id) continue;
        const data = job.data as { videoId?: unknown };
        found.push({ id: job.id, name: job.name as JobName, videoId: typeof data?.videoId === 'string' ? data.videoId : null, state });
      }
    }
    return found;
  }

  /** Removes a job that is not running (the audit's --fix). */
  async remove(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job || (await job.isActive())) return false;
    await job.remove();
    return true;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
