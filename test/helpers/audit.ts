import assert from 'node:assert/strict';
import type { Infrastructure } from '../../src/app/infrastructure';
import { buildAudit } from '../../src/app/audit';
import type { Config } from '../../src/config/config';
import type { AuditReport } from '../../src/videos/consistency-audit';

/** Runs the consistency audit (src/app/audit.ts) over a test's own connections. */
export async function runAudit(config: Config, infra: Infrastructure, opts: { fix?: boolean } = {}): Promise<AuditReport> {
  const { audit, close } = buildAudit(config, infra);
  try {
    return await audit.run(opts);
  } finally {
    await close();
  }
}

/** The audit finds nothing wrong; the failure message lists what it found. */
export async function assertAuditClean(config: Config, infra: Infrastructure, label = 'audit'): Promise<AuditReport> {
  const report = await runAudit(config, infra);
  assert.deepEqual(
    report.problems.map((p) => `${p.kind} ${p.videoId}: ${p.detail}`),
    [],
    `${label}: the consistency audit found problems`,
  );
  return report;
}

/** Polls the audit until it is clean (sweeps and retries settle after a fault), or fails with its last findings. */
export async function eventuallyAuditClean(config: Config, infra: Infrastructure, timeoutMs: number, label = 'audit'): Promise<AuditReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertAuditClean(config, infra, label);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
