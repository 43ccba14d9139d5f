import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAME, type JobName, type JobPayloads } from './job-types';

const defaults: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The only way the platform enqueues work. */
export class JobQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: `${prefix}:bull`, defaultJobOptions: defaults });
  }

  /**
   * `jobId` makes enqueueing idempotent: a second add with the same id is a no-op. `attempts`
   * and `backoff` replace the defaults for jobs with a retry schedule of their own (webhooks).
   */
  async add<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    opts: Pick<JobsOptions, 'jobId' | 'delay' | 'attempts' | 'backoff'> = {},
  ): Promise<void> {
    await this.queue.add(name, payload, opts);
  }

  /** Removes a waiting, delayed or finished job; a running one cannot be removed (its worker holds a lock). */
  async cancel(jobId: string): Promise<'removed' | 'absent' | 'running'> {
    const job = await this.queue.getJob(jobId);
    if (!job) return 'absent';
    if (await job.isActive()) return 'running';
    try {
      await job.remove();
      return 'removed';
    } catch {
      return (await job.isActive()) ? 'running' : 'absent';
    }
  }

  async remove(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
