import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config';

describe('security: no public default secret (issue 9, item 7)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vp-sec-secrets-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('generates secrets on first start, keeps them in the data directory (0600) and reuses them', async () => {
    const dataDir = path.join(root, 'a');
    const first = loadConfig({ DATA_DIR: dataDir });
    const again = loadConfig({ DATA_DIR: dataDir });
    const elsewhere = loadConfig({ DATA_DIR: path.join(root, 'b') });
    assert.equal(again.jwtSecret, first.jwtSecret, 'kept across restarts');
    assert.equal(again.mediaSigningSecret, first.mediaSigningSecret);
    assert.notEqual(elsewhere.jwtSecret, first.jwtSecret, 'not a constant: each installation its own');
    assert.notEqual(elsewhere.mediaSigningSecret, first.mediaSigningSecret);
    assert.ok(first.jwtSecret.length >= 32 && first.mediaSigningSecret.length >= 32);
    assert.notEqual(first.mediaSigningSecret, first.jwtSecret);
    assert.ok(!first.mediaSigningSecret.startsWith(first.jwtSecret), 'the media secret is not derived from the token secret');
    const files = await readdir(dataDir);
    assert.equal(files.length, 1, files.join());
    const mode = (await stat(path.join(dataDir, files[0]!))).mode & 0o777;
    assert.equal(mode, 0o600, `mode ${mode.toString(8)}`);
  });

  it('shares one installation\'s secrets between its processes (tests too), never a constant', () => {
    const dataDir = path.join(root, 'shared');
    const api = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
    const other = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, PORT: '4001' });
    assert.equal(other.jwtSecret, api.jwtSecret);
    assert.notEqual(loadConfig({ NODE_ENV: 'test', DATA_DIR: path.join(root, 'e') }).jwtSecret, api.jwtSecret);
  });

  it('uses the secrets it is given, and derives the media secret from a given JWT_SECRET only', () => {
    const jwt = 'x'.repeat(40);
    const given = loadConfig({ DATA_DIR: path.join(root, 'c'), JWT_SECRET: jwt, MEDIA_SIGNING_SECRET: 'm'.repeat(40) });
    assert.equal(given.jwtSecret, jwt);
    assert.equal(given.mediaSigningSecret, 'm'.repeat(40));
    const derived = loadConfig({ DATA_DIR: path.join(root, 'd'), JWT_SECRET: jwt });
    assert.notEqual(derived.mediaSigningSecret, jwt);
  });
});
