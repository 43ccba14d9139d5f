#!/usr/bin/env node
// `npm audit --omit=dev --audit-level=high` for CI, with two additions:
// - an advisory endpoint that cannot be reached or answers an error (offline machines, registry
//   mirrors without the audit API) is a warning, not a failure: nothing was learned either way;
// - known findings can be accepted in .ci/audit-exceptions.json, each with a reason and an expiry
//   date (README, "Dependency audit"); an expired exception no longer applies.
// AUDIT_JSON=<file> replays a saved `npm audit --json` answer instead of asking (tests).
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const exceptionsFile = process.env.AUDIT_EXCEPTIONS ?? path.join(root, '.ci/audit-exceptions.json');
const LEVELS = new Set(['high', 'critical']);

function runAudit() {
  if (process.env.AUDIT_JSON) return readFileSync(process.env.AUDIT_JSON, 'utf8');
  try {
    return execFileSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    // npm exits non-zero both for findings and for failures; the JSON on stdout tells which.
    return err.stdout ?? '';
  }
}

let report;
try {
  report = JSON.parse(runAudit());
} catch {
  report = null;
}
if (!report || report.error || report.statusCode || !report.vulnerabilities) {
  const why = report?.message ?? report?.error?.summary ?? 'no readable answer';
  console.log(`audit: WARNING: the advisory endpoint is unavailable (${why}); dependencies were not audited`);
  process.exit(0);
}

const today = new Date().toISOString().slice(0, 10);
const exceptions = existsSync(exceptionsFile) ? JSON.parse(readFileSync(exceptionsFile, 'utf8')).exceptions ?? [] : [];
const active = exceptions.filter((e) => !e.expires || e.expires >= today);
for (const e of exceptions.filter((x) => !active.includes(x))) console.log(`audit: exception for ${e.advisory ?? e.package} expired on ${e.expires}`);

const advisoriesOf = (v) => v.via.filter((x) => typeof x === 'object').map((x) => x.url?.split('/').pop() ?? String(x.source));
const excepted = (name, v) =>
  active.some((e) => (e.package === undefined || e.package === name) && (e.advisory === undefined || advisoriesOf(v).includes(e.advisory)));

const findings = Object.entries(report.vulnerabilities).filter(([, v]) => LEVELS.has(v.severity));
const open = findings.filter(([name, v]) => !excepted(name, v));
for (const [name, v] of findings) {
  const mark = open.some(([n]) => n === name) ? 'FAIL' : 'accepted';
  console.log(`audit: ${mark}: ${name} (${v.severity}) ${advisoriesOf(v).join(', ') || `via ${v.via.join(', ')}`}`);
}
console.log(`audit: ${findings.length} high/critical finding(s) in production dependencies, ${open.length} not accepted`);
process.exit(open.length ? 1 : 0);
