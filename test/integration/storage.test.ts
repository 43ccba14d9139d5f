import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { Client } from 'minio';
import { loadConfig } from '../../src/config/config';
import { createStorage } from '../../src/storage/create-storage';
import type { ObjectStorage } from '../../src/storage/storage';
import { S3_ENV, uniqueName } from '../helpers/env';
import { inOddPieces } from '../helpers/streams';

function failingAfter(data: Buffer, bytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(data.subarray(0, bytes));
      } else this.destroy(new Error('client went away'));
    },
  });
}

for (const driver of ['s3', 'local'] as const) {
  describe(`storage driver: ${driver}`, () => {
    let storage: ObjectStorage;
    let dir: string;
    const bucket = uniqueName('vpt').replace(/_/g, '-');

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'vp-storage-'));
      const env = driver === 's3' ? { ...S3_ENV, S3_BUCKET: bucket } : { STORAGE_DRIVER: 'local', DATA_DIR: dir };
      storage = await createStorage(loadConfig(env).storage);
    });
    after(async () => {
      await storage.deletePrefix('t/');
      await rm(dir, { recursive: true, force: true });
    });

    it('round-trips a multi-part stream of unknown length with ranged reads and stat', async () => {
      const data = randomBytes(19 * 1024 * 1024 + 123); // three S3 parts, the last short
      let progressed = 0;
      const put = await storage.put('t/a/big.bin', inOddPieces(data), { onProgress: (n) => (progressed += n) });
      assert.equal(put.size, data.length);
      assert.equal(progressed, data.length);

      const stat = await storage.stat('t/a/big.bin');
      assert.equal(stat?.size, data.length);
      assert.ok(stat?.etag);

      const whole = await buffer(await storage.get('t/a/big.bin'));
      assert.ok(whole.equals(data));
      const start = 8 * 1024 * 1024 - 10;
      const ranged = await buffer(await storage.get('t/a/big.bin', { start, end: start + 99 }));
      assert.ok(ranged.equals(data.subarray(start, start + 100)));
    });

    it('stores small and empty objects and reports missing ones as null', async () => {
      await storage.put('t/a/small.txt', Readable.from([Buffer.from('hello')]), { contentType: 'text/plain' });
      await storage.put('t/a/empty', Readable.from([]));
      assert.equal((await buffer(await storage.get('t/a/small.txt'))).toString(), 'hello');
      assert.equal((await storage.stat('t/a/empty'))?.size, 0);
      assert.equal(await storage.stat('t/a/missing'), null);
    });

    it('leaves nothing behind when the source stream fails midway', async () => {
      const data = randomBytes(12 * 1024 * 1024);
      await assert.rejects(storage.put('t/b/broken.bin', failingAfter(data, 10 * 1024 * 1024)), /client went away/);
      assert.equal(await storage.stat('t/b/broken.bin'), null);
      assert.deepEqual(await storage.list('t/b/'), []);
      if (driver === 's3') {
        const c = loadConfig({ ...S3_ENV, S3_BUCKET: bucket }).storage;
        assert.ok(c.driver === 's3');
        const client = new Client({ endPoint: c.endPoint.hostname, port: Number(c.endPoint.port), useSSL: false, accessKey: c.accessKey, secretKey: c.secretKey, pathStyle: true });
        const pending: unknown[] = [];
        for await (const u of client.listIncompleteUploads(bucket, 't/b/', true)) pending.push(u);
        assert.deepEqual(pending, [], 'no multipart upload may stay open');
      }
    });

    it('lists and deletes by prefix, and refuses unsafe keys', async () => {
      for (const k of ['t/c/1', 't/c/2/x', 't/cc/3']) await storage.put(k, Readable.from([Buffer.from(k)]));
      assert.deepEqual(await storage.list('t/c/'), ['t/c/1', 't/c/2/x']);
      assert.equal(await storage.deletePrefix('t/c/'), 2);
      assert.deepEqual(await storage.list('t/c/'), []);
      assert.deepEqual(await storage.list('t/cc/'), ['t/cc/3']);
      for (const key of ['../etc/passwd', 't/../x', '/abs', 't//x', 't/a b']) {
        await assert.rejects(storage.put(key, Readable.from([])), /Unsafe storage key/);
      }
    });

    it('deletes one object, leaving its neighbours, and takes a missing key quietly', async () => {
      for (const k of ['t/e/poster.jpg', 't/e/poster.jpg.keep', 't/e/other.jpg']) await storage.put(k, Readable.from([Buffer.from(k)]));
      await storage.delete('t/e/poster.jpg');
      assert.deepEqual(await storage.list('t/e/'), ['t/e/other.jpg', 't/e/poster.jpg.keep']);
      await storage.delete('t/e/poster.jpg');
      await assert.rejects(storage.delete('t/../x'), /Unsafe storage key/);
    });

    it('gives a URL or path ffprobe can read', async () => {
      await storage.put('t/d/file.txt', Readable.from([Buffer.from('presigned')]));
      const url = await storage.presignedGetUrl('t/d/file.txt', 60);
      if (driver === 's3') {
        const res = await fetch(url);
        assert.equal(await res.text(), 'presigned');
      } else {
        assert.ok(path.isAbsolute(url));
      }
    });
  });
}
