import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from 'minio';
import { loadConfig } from '../../src/config/config';
import { createStorage } from '../../src/storage/create-storage';
import { S3_ENV, uniqueName } from '../helpers/env';

function adminClient(): Client {
  const url = new URL(S3_ENV.S3_ENDPOINT);
  return new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: S3_ENV.S3_ACCESS_KEY, secretKey: S3_ENV.S3_SECRET_KEY, pathStyle: true });
}

describe('S3 bucket at start-up (S3_CREATE_BUCKET)', () => {
  it('refuses to start on a missing bucket by default, naming the setting, and creates nothing', async () => {
    const bucket = uniqueName('vpt').replace(/_/g, '-');
    const config = loadConfig({ ...S3_ENV, S3_CREATE_BUCKET: '', S3_BUCKET: bucket });
    await assert.rejects(createStorage(config.storage), /S3 bucket "vpt-[0-9a-f]+" does not exist: create it, or set S3_CREATE_BUCKET=true/);
    assert.equal(await adminClient().bucketExists(bucket), false);
  });

  it('creates the bucket when told to, and starts again on the existing one', async () => {
    const bucket = uniqueName('vpt').replace(/_/g, '-');
    const create = loadConfig({ ...S3_ENV, S3_CREATE_BUCKET: 'true', S3_BUCKET: bucket });
    try {
      await createStorage(create.storage);
      assert.equal(await adminClient().bucketExists(bucket), true);
      await createStorage(create.storage); // already there: fine
      await createStorage(loadConfig({ ...S3_ENV, S3_CREATE_BUCKET: 'false', S3_BUCKET: bucket }).storage);
    } finally {
      await adminClient().removeBucket(bucket).catch(() => undefined);
    }
  });
});
