import 'reflect-metadata';
import { runAudit, runSourceRelocation } from './app/audit';
import { loadConfigOrExit } from './config/config';
import { createLogger } from './config/logger';

/**
 * `npm run audit [-- --fix] [-- --json]`: the consistency audit against the configured MySQL,
 * Redis and storage (production too). Read-only unless --fix, which removes orphans only.
 * Exit code 0 when nothing is wrong (or everything found was fixed), 1 otherwise.
 * `--relocate-sources` first moves originals of the old layout (`videos/<id>/source`) to `sources/`.
 */
async function main(): Promise<number> {
  const args = new Set(process.argv.slice(2));
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'audit');
  if (args.has('--relocate-sources')) {
    const r = await runSourceRelocation(config, logger);
    process.stdout.write(`originals moved to sources/: ${r.moved}; left for now (uploading or processing): ${r.busy}; recorded but not stored: ${r.absent}; failed: ${r.failed}\n`);
    if (r.failed || r.busy) process.stdout.write('run it again once those are settled\n');
  }
  const report = await runAudit(config, logger, { fix: args.has('--fix') });
  if (args.has('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const c = report.checked;
    process.stdout.write(`checked ${c.videos} videos, ${c.renditions} renditions, ${c.objects} objects, ${c.jobs} jobs, ${c.unfinishedUploads} unfinished multipart uploads\n`);
    for (const p of report.problems) {
      process.stdout.write(`${p.fixed ? 'FIXED  ' : p.fixable ? 'ORPHAN ' : 'PROBLEM'} ${p.kind} ${p.videoId ?? '-'}: ${p.detail}\n`);
    }
    process.stdout.write(`${report.problems.length} problem(s)${args.has('--fix') ? `, ${report.fixed} fixed` : ''}\n`);
  }
  return report.problems.every((p) => p.fixed) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
