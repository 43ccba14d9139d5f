import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const script = path.join(__dirname, '../../../scripts/audit.mjs');

describe('dependency audit in CI (issue 9, "Also")', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vp-audit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = async (report: unknown, exceptions: unknown[] = []) => {
    await writeFile(path.join(dir, 'report.json'), JSON.stringify(report));
    await writeFile(path.join(dir, 'exceptions.json'), JSON.stringify({ exceptions }));
    const env = { ...process.env, AUDIT_JSON: path.join(dir, 'report.json'), AUDIT_EXCEPTIONS: path.join(dir, 'exceptions.json') };
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], { env });
      return { code: 0, stdout };
    } catch (err) {
      return { code: (err as { code: number }).code, stdout: (err as { stdout: string }).stdout };
    }
  };
  const vuln = (severity: string) => ({
    auditReportVersion: 2,
    vulnerabilities: { leftpad: { name: 'leftpad', severity, via: [{ source: 1, name: 'leftpad', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc', severity }] } },
  });

  it('fails on a high finding, passes a moderate one', async () => {
    assert.equal((await run(vuln('high'))).code, 1);
    assert.equal((await run(vuln('critical'))).code, 1);
    assert.equal((await run(vuln('moderate'))).code, 0);
  });

  it('accepts a finding listed in the exceptions file until it expires', async () => {
    assert.equal((await run(vuln('high'), [{ advisory: 'GHSA-aaaa-bbbb-cccc', reason: 'not reachable', expires: '2999-01-01' }])).code, 0);
    assert.equal((await run(vuln('high'), [{ advisory: 'GHSA-aaaa-bbbb-cccc', reason: 'not reachable', expires: '2000-01-01' }])).code, 1);
    assert.equal((await run(vuln('high'), [{ advisory: 'GHSA-zzzz-zzzz-zzzz', reason: 'another' }])).code, 1);
  });

  it('treats an unavailable advisory endpoint as a warning', async () => {
    const r = await run({ message: '405 Method Not Allowed', statusCode: 405 });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /WARNING: the advisory endpoint is unavailable/);
  });
});
