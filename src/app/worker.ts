import 'reflect-metadata';
import { Worker, type Job } from 'bullmq';
import { createRedis } from '../cache/redis';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { startMetricsServer } from '../http/metrics-server';
import { QUEUE_NAME, type JobPayloads } from '../jobs/job-types';
import { rateControlOf } from '../media/ladder';
import { DownloadBuilder } from '../playback/download-builder';
import { TranscodeService } from '../videos/transcode.service';
import { downloadHandler } from '../worker/download.handler';
import { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import { WebhookSender } from '../webhooks/webhook-sender';
import { assertHandlers, dispatch } from '../worker/job-registry';
import { DeletionWatch } from '../worker/deletion-watch';
import { purgeHandler } from '../worker/purge.handler';
import { onTranscodeJobFailed, transcodeJobHandler } from '../worker/transcode.handler';
import { scheduleUploadCleanup, uploadCleanupHandler } from '../worker/upload-cleanup.handler';
import { scheduleWebhookPrune, webhookDeliveryHandler, webhookPruneHandler } from '../worker/webhook.handler';
import { createWorkerMetrics } from '../worker/worker-metrics';
import { buildCore } from './core';
import { openInfrastructure, type Infrastructure } from './infrastructure';

export interface RunningWorker {
  worker: Worker;
  infra: Infrastructure;
  /** Where /metrics is served (WORKER_METRICS_PORT), or null. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** Wires the worker process: the same infrastructure and core as the API, one handler per job, a BullMQ worker. */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const infra = await openInfrastructure(config, logger);
  const { events, jobs, positions, videos, cache, lifecycle, tools, uploads, webhookRepo, webhookTarget, captionPublisher } = buildCore(config, logger, infra);
  const transcode = new TranscodeService({
    lifecycle,
    videos,
    storage: infra.storage,
    tools,
    captions: captionPublisher,
    settings: { preset: config.transcode.preset, segmentSeconds: config.transcode.segmentSeconds, audioBitrate: 128_000, rateControl: rateControlOf(config.transcode.rateControl, config.transcode.crf) },
    logger,
  });
  const delivery = new WebhookDeliveryService({
    repo: webhookRepo,
    sender: new WebhookSender(webhookTarget, config.webhooks.timeoutMs),
    logger,
    retentionDays: config.webhooks.deliveryRetentionDays,
  });
  // Shutdown stops running transcodes (ffmpeg killed, job handed back) instead of waiting them out.
  const shutdown = new AbortController();
  const handlers = {
    'video.transcode': transcodeJobHandler({
      service: transcode,
      events,
      positions,
      logger,
      timeoutSeconds: config.transcode.timeoutSeconds,
      shutdown: shutdown.signal,
      deletions: new DeletionWatch({ bus: events, videos, storage: infra.storage, pollMs: 5000 }),
    }),
    'video.purge': purgeHandler({ videos, jobs, storage: infra.storage, cache }),
    'uploads.cleanup': uploadCleanupHandler(uploads, logger),
    'video.download': downloadHandler({
      builder: new DownloadBuilder({ videos, storage: infra.storage, tools }),
      logger,
      timeoutSeconds: config.transcode.timeoutSeconds,
    }),
    'webhook.deliver': webhookDeliveryHandler(delivery),
    'webhooks.prune': webhookPruneHandler(delivery, logger),
  };
  assertHandlers(handlers);

  // A blocking worker connection of its own: it must not stall the shared command connection.
  const connection = createRedis(config.redisUrl, 'worker');
  const worker = new Worker(QUEUE_NAME, (job, token) => dispatch(handlers, job, token), {
    connection,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: config.workerConcurrency,
    // A job whose worker died is taken up again after this long without a lock renewal.
    lockDuration: 30_000,
    stalledInterval: 15_000,
    maxStalledCount: 2,
  });
  // Jobs can also die outside their handler (stalled too often); the video must not stay PROCESSING.
  const onTranscodeFailed = onTranscodeJobFailed({ service: transcode, logger });
  worker.on('failed', (job, err) => {
    logger.warn({ jobId: job?.id, name: job?.name, err: err.message }, 'job failed');
    void onTranscodeFailed(job as Job<JobPayloads['video.transcode'], unknown, 'video.transcode'> | undefined, err);
  });
  worker.on('completed', (job) => logger.info({ jobId: job.id, name: job.name }, 'job completed'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  const metrics = createWorkerMetrics(jobs.queue, async (id) => (await videos.findById(id))?.durationSeconds ?? null);
  metrics.observe(worker);
  await worker.waitUntilReady();
  const metricsServer = config.workerMetricsPort === null ? null : await startMetricsServer(metrics.registry, config.workerMetricsPort, config.host);
  await scheduleUploadCleanup(jobs, config.uploads.cleanupIntervalSeconds);
  await scheduleWebhookPrune(jobs);
  logger.info({ concurrency: config.workerConcurrency }, 'worker started');
  return {
    worker,
    infra,
    metricsUrl: metricsServer?.url ?? null,
    async close() {
      await metricsServer?.close();
      shutdown.abort(new Error('the worker is shutting down'));
      await worker.close();
      await jobs.close();
      await connection.quit().catch(() => undefined);
      await infra.close();
    },
  };
}
