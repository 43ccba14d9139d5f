import type { Job, Queue, Worker } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobPayloads } from '../jobs/job-types';

/** Seconds, from a few to a few hours: processing a long video at a slow preset. */
const LATENCY_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200];

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

type Transcode = Job<JobPayloads['video.transcode'], { outcome?: string } | undefined, 'video.transcode'>;

/**
 * The worker's metrics (served on WORKER_METRICS_PORT): queue depth, how long uploads wait for a
 * worker, transcode speed, and how long after the upload a video is first playable and READY.
 * Observed from BullMQ's job timestamps and events (the transcode handler's progress says when the
 * video became playable), so the handlers know nothing of metrics.
 */
export function createWorkerMetrics(queue: Queue, durationOf: (videoId: string) => Promise<number | null>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in the queue by state (the same for every worker: aggregate with max)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      // Redis away: keep the last values rather than failing the whole scrape.
      const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => null);
      for (const state of QUEUE_STATES) if (counts) this.set({ state }, counts[state] ?? 0);
    },
  });
  const wait = new Histogram({ name: 'transcode_queue_wait_seconds', help: 'From upload finished (job queued) to a worker starting it, first attempts', buckets: LATENCY_BUCKETS, registers: [registry] });
  const toPlayable = new Histogram({ name: 'video_time_to_playable_seconds', help: 'From upload finished (job queued) to the first playable version', buckets: LATENCY_BUCKETS, registers: [registry] });
  const toReady = new Histogram({ name: 'video_time_to_ready_seconds', help: 'From upload finished (job queued) to READY', buckets: LATENCY_BUCKETS, registers: [registry] });
  const busy = new Counter({ name: 'transcode_seconds_total', help: 'Wall-clock seconds of successful transcode jobs', registers: [registry] });
  const media = new Counter({ name: 'transcode_media_seconds_total', help: 'Seconds of video those jobs processed (ratio: transcode speed)', registers: [registry] });
  /** Jobs whose video already played (a quick first version), so READY is not its first playable moment. */
  const playable = new Set<string>();

  const isTranscode = (job: Job | undefined): job is Transcode => job?.name === 'video.transcode';
  const since = (job: Job, at = Date.now()) => Math.max(0, (at - job.timestamp) / 1000);

  return {
    registry,
    /** Subscribes to the worker's events; failures to observe never touch the jobs. */
    observe(worker: Worker): void {
      worker.on('active', (job) => {
        if (isTranscode(job) && job.attemptsMade === 0) wait.observe(since(job, job.processedOn ?? Date.now()));
      });
      worker.on('progress', (job, progress) => {
        if (!isTranscode(job) || playable.has(String(job.id))) return;
        if (typeof progress === 'object' && progress && (progress as { playable?: boolean }).playable) {
          playable.add(String(job.id));
          toPlayable.observe(since(job));
        }
      });
      worker.on('failed', (job) => void playable.delete(String(job?.id)));
      worker.on('completed', (job, result) => {
        if (!isTranscode(job)) return;
        const playedBefore = playable.delete(String(job.id));
        if ((result as { outcome?: string } | undefined)?.outcome !== 'READY') return;
        const finished = job.finishedOn ?? Date.now();
        toReady.observe(since(job, finished));
        // Without a quick first version, READY is when it first plays.
        if (!playedBefore) toPlayable.observe(since(job, finished));
        const seconds = Math.max(0, (finished - (job.processedOn ?? finished)) / 1000);
        void durationOf(job.data.videoId)
          .then((d) => {
            if (!d) return;
            busy.inc(seconds);
            media.inc(d);
          })
          .catch(() => undefined);
      });
    },
  };
}
