import type { Job } from 'bullmq';
import { jobNames, type JobName, type JobPayloads } from '../jobs/job-types';

/** `token` is the worker's lock on the job (handlers that hand a job back to the queue need it). */
export type JobHandler<N extends JobName> = (job: Job<JobPayloads[N], unknown, N>, token?: string) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** Start-up check: every declared job has exactly one handler, and no handler is for an unknown job. */
export function assertHandlers(handlers: Partial<Record<string, unknown>>): asserts handlers is JobHandlers {
  const declared = new Set<string>(jobNames);
  const missing = jobNames.filter((n) => typeof handlers[n] !== 'function');
  const unknown = Object.keys(handlers).filter((n) => !declared.has(n));
  if (missing.length || unknown.length) {
    throw new Error(`Job handlers do not match the declared jobs: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
  }
}

export function dispatch(handlers: JobHandlers, job: Job, token?: string): Promise<unknown> {
  const handler = handlers[job.name as JobName] as JobHandler<JobName> | undefined;
  if (!handler) throw new Error(`No handler for job ${job.name}`);
  return handler(job as Job<JobPayloads[JobName], unknown, JobName>, token);
}
