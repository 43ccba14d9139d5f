import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { invalidateVideoCache } from '../cache/video-cache';
import { AuditRepository } from '../db/repositories/audit.repository';
import { VideoRepository } from '../db/repositories/video.repository';
import { VideoWriteRepository } from '../db/repositories/video-write.repository';
import { EdgePurger } from '../edge/edge-purger';
import { EventBus } from '../events/event-bus';
import { JobQueue } from '../jobs/job-queue';
import { ConsistencyAudit, type AuditReport } from '../videos/consistency-audit';
import { SourceRelocation, type RelocationReport } from '../videos/source-relocation';
import { VideoLifecycle } from '../videos/video-lifecycle';
import { openInfrastructure, type Infrastructure } from './infrastructure';

/**
 * The audit over open connections (tests pass their own). Limits follow the settings: the sweeper
 * runs every UPLOAD_CLEANUP_INTERVAL_SECONDS, so an expired upload or a QUEUED video without its
 * job is a problem only after two sweeps (and a minute) have had their chance.
 */
export function buildAudit(config: Config, infra: Infrastructure): { audit: ConsistencyAudit; close(): Promise<void> } {
  const jobs = new JobQueue(infra.redis, config.redisPrefix);
  const sweeps = 2 * config.uploads.cleanupIntervalSeconds * 1000 + 60_000;
  const audit = new ConsistencyAudit({
    repo: new AuditRepository(infra.ds),
    storage: infra.storage,
    jobs,
    limits: { uploadGraceMs: sweeps, jobGraceMs: sweeps },
  });
  return { audit, close: () => jobs.close() };
}

/** `npm run audit`: connects like any process (never migrates), runs the audit once, disconnects. */
export async function runAudit(config: Config, logger: Logger, opts: { fix: boolean }): Promise<AuditReport> {
  const infra = await openInfrastructure({ ...config, migrateOnStart: false }, logger);
  const { audit, close } = buildAudit(config, infra);
  try {
    return await audit.run({ fix: opts.fix });
  } finally {
    await close();
    await infra.close();
  }
}

/**
 * `npm run audit -- --relocate-sources`: moves originals of the old layout out of `videos/`, through
 * the video lifecycle (the only writer of rows), then disconnects. Only what that one move uses is
 * built: no queue (BullMQ would still be loading its scripts when this short run disconnects).
 */
export async function runSourceRelocation(config: Config, logger: Logger): Promise<RelocationReport> {
  const infra = await openInfrastructure({ ...config, migrateOnStart: false }, logger);
  try {
    const events = new EventBus(infra.publisher, infra.subscriber, config.redisPrefix, (err) => logger.warn({ err }, 'progress event not published'), infra.redis);
    const lifecycle = new VideoLifecycle({
      repo: new VideoWriteRepository(infra.ds),
      cache: { invalidate: (...ids) => invalidateVideoCache(infra.redis, config.redisPrefix, ...ids) },
      events,
      // relocateSource raises no outside event (nothing a webhook subscriber hears about changes).
      videoEvents: { emit: async () => undefined, emitFor: async () => undefined },
      edge: new EdgePurger({ ...config.edgePurge, logger }),
      deletions: events,
    });
    const relocation = new SourceRelocation({ rows: new AuditRepository(infra.ds), videos: new VideoRepository(infra.ds), storage: infra.storage, lifecycle, logger });
    return await relocation.run();
  } finally {
    await infra.close();
  }
}
