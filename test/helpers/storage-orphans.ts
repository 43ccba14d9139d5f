import assert from 'node:assert/strict';
import { Client } from 'minio';
import { sourceKey, STORAGE_ROOTS, videoIdOfKey } from '../../src/storage/keys';
import type { TestStack } from './env';

interface Row {
  id: string;
  status: string;
  source_key: string | null;
}

/**
 * Storage and rows agree: every object under `videos/` and `sources/` belongs to a video row; no row is left
 * UPLOADING (unless the scenario is mid-upload on purpose); FAILED rows hold no bytes; queued or
 * later rows have their source; and (S3) no unfinished multipart upload is left behind.
 */
export async function assertNoOrphans(stack: TestStack, opts: { uploading?: string[] } = {}): Promise<void> {
  const allowed = new Set(opts.uploading ?? []);
  const keys: string[] = [];
  for (const root of STORAGE_ROOTS) keys.push(...(await stack.api.infra.storage.list(root)));
  const rows = (await stack.api.infra.ds.query('SELECT id, status, source_key FROM videos')) as Row[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const keysOf = (id: string) => keys.filter((k) => videoIdOfKey(k) === id);

  for (const key of keys) {
    const id = videoIdOfKey(key);
    assert.ok(id && byId.has(id), `object ${key} has no video row`);
  }
  for (const row of rows) {
    if (row.status === 'UPLOADING') assert.ok(allowed.has(row.id), `video ${row.id} was left UPLOADING`);
    if (row.status === 'FAILED') assert.deepEqual(keysOf(row.id), [], `FAILED video ${row.id} still holds objects`);
    if (['QUEUED', 'PROCESSING', 'READY'].includes(row.status)) {
      assert.equal(row.source_key, sourceKey(row.id));
      assert.ok(keys.includes(sourceKey(row.id)), `video ${row.id} (${row.status}) has no source object`);
    }
  }
  const storage = stack.config.storage;
  if (storage.driver === 's3') {
    const client = new Client({
      endPoint: storage.endPoint.hostname,
      port: Number(storage.endPoint.port) || undefined,
      useSSL: storage.endPoint.protocol === 'https:',
      accessKey: storage.accessKey,
      secretKey: storage.secretKey,
      region: storage.region,
      pathStyle: storage.pathStyle,
    });
    for (const root of STORAGE_ROOTS) {
      const stream = client.listIncompleteUploads(storage.bucket, root, true);
      for await (const u of stream as AsyncIterable<{ key: string }>) {
        const id = videoIdOfKey(u.key);
        assert.ok(id && allowed.has(id), `unfinished multipart upload left at ${u.key}`);
      }
    }
  }
}

/** Waits until the check passes (cleanup after a dropped connection runs after the response). */
export async function eventuallyNoOrphans(stack: TestStack, opts: { uploading?: string[] } = {}, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertNoOrphans(stack, opts);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
