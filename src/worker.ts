import 'reflect-metadata';
import { Worker, type Job } from 'bullmq';
import { createRedis } from './cache/redis';
import type { Config } from './config/config';
import type { Logger } from './config/logger';
import { runProcess } from './config/process-runner';
import { createAppPubSub } from './graphql/pubsub';
import { openInfrastructure, type Infrastructure } from './infrastructure';
import { createJobHandlers, createTranscodeService } from './jobs/handlers';
import { assertHandlers, dispatch } from './jobs/job-registry';
import { JobQueue } from './jobs/job-queue';
import { QUEUE_NAME, type JobPayloads } from './jobs/job-types';
import { onTranscodeJobFailed } from './jobs/transcode.job';
import { scheduleUploadCleanup } from './jobs/upload-cleanup.job';
import { scheduleWebhookPrune } from './jobs/webhook.job';
import { createWebhooks } from './webhooks/webhooks.module';

export interface RunningWorker {
  worker: Worker;
  infra: Infrastructure;
  close(): Promise<void>;
}

/** Wires the worker process: the same infrastructure as the API, plus a BullMQ worker. */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const infra = await openInfrastructure(config, logger);
  const pubSub = createAppPubSub(infra.redis, infra.subscriber);
  const jobs = new JobQueue(infra.redis, config.redisPrefix);
  const webhooks = createWebhooks({ config, logger, infra, jobs });
  const deps = { config, logger, infra, pubSub, jobs, events: webhooks.service, webhookDelivery: webhooks.delivery };
  const transcode = createTranscodeService(deps);
  const handlers = createJobHandlers(deps, transcode);
  assertHandlers(handlers);
  // A blocking worker connection of its own: it must not stall the shared command connection.
  const connection = createRedis(config.redisUrl, 'worker');
  const worker = new Worker(QUEUE_NAME, (job) => dispatch(handlers, job), {
    connection,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: config.workerConcurrency,
    // A job whose worker died is taken up again after this long without a lock renewal.
    lockDuration: 30_000,
    stalledInterval: 15_000,
    maxStalledCount: 2,
  });
  // Jobs can also die outside their handler (stalled too often); the video must not stay PROCESSING.
  const onTranscodeFailed = onTranscodeJobFailed({ service: transcode, pubSub, events: webhooks.service, logger });
  worker.on('failed', (job, err) => {
    logger.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'job failed');
    void onTranscodeFailed(job as Job<JobPayloads['video.transcode'], unknown, 'video.transcode'> | undefined, err);
  });
  worker.on('completed', (job) => logger.info({ jobId: job.id, name: job.name }, 'job completed'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  await worker.waitUntilReady();
  await scheduleUploadCleanup(jobs, config.uploads.cleanupIntervalSeconds);
  await scheduleWebhookPrune(jobs);
  logger.info({ concurrency: config.workerConcurrency }, 'worker started');
  return {
    worker,
    infra,
    async close() {
      await worker.close();
      await jobs.close();
      await connection.quit().catch(() => undefined);
      await infra.close();
    },
  };
}

if (require.main === module) runProcess('worker', (c) => [c.ffmpegPath, c.ffprobePath], startWorker);
