import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { AuditRepository } from '../db/repositories/audit.repository';
import { JobQueue } from '../jobs/job-queue';
import { ConsistencyAudit, type AuditReport } from '../videos/consistency-audit';
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
