import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('config', () => {
  it('has defaults that work on a developer machine', () => {
    const c = loadConfig({});
    assert.equal(c.port, 4000);
    assert.equal(c.databaseUrl, 'mysql://root@127.0.0.1:3306/video_platform');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(c.storage.driver, 'local');
    assert.equal(c.maxUploadBytes, 10 * 1024 ** 3);
    assert.equal(c.publicUrl, 'http://localhost:4000');
  });

  it('selects S3 when an endpoint is configured', () => {
    const c = loadConfig({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' });
    assert.equal(c.storage.driver, 's3');
    assert.ok(c.storage.driver === 's3' && c.storage.endPoint.hostname === 'minio');
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT: .*\(got "eighty"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT: /],
    [{ DATABASE_URL: 'not a url' }, /^Invalid configuration: DATABASE_URL: /],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: JWT_SECRET: required when NODE_ENV=production$/],
    [{ JWT_SECRET: 'short' }, /^Invalid configuration: JWT_SECRET: at least 32 characters/],
    [{ S3_ENDPOINT: 'http://minio:9000' }, /^Invalid configuration: S3_ACCESS_KEY: required when S3_ENDPOINT is set$/],
    [{ STORAGE_DRIVER: 's3' }, /^Invalid configuration: S3_ENDPOINT: required when STORAGE_DRIVER=s3$/],
    [{ MIGRATE_ON_START: 'maybe' }, /^Invalid configuration: MIGRATE_ON_START: /],
    [{ S3_BUCKET: 'Bad_Bucket' }, /^Invalid configuration: S3_BUCKET: a valid S3 bucket name/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    });
  }

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ PORT: '' }).port, 4000);
  });
});
