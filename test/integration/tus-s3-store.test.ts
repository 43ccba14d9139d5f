import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { Upload } from '@tus/server';
import { loadConfig } from '../../src/config/config';
import { createStorage } from '../../src/storage/create-storage';
import { bulkClient, type S3Config } from '../../src/storage/s3-storage';
import type { ObjectStorage } from '../../src/storage/storage';
import { BufferedS3Store } from '../../src/storage/tus-s3-store';
import { ResumableStore } from '../../src/storage/tus-store';
import { S3_ENV, uniqueName } from '../helpers/env';
import { inOddPieces } from '../helpers/streams';

const MiB = 1024 * 1024;
/** S3's smallest part; the store's parts here, so a few MiB make several. */
const PART = 5 * MiB;

describe('tus S3 store: parts from reused in-memory buffers', () => {
  let config: S3Config;
  let storage: ObjectStorage;
  const prefix = `${uniqueName('tus')}/`;

  before(async () => {
    const storageConfig = loadConfig({ ...S3_ENV, S3_BUCKET: uniqueName('vpt').replace(/_/g, '-') }).storage;
    assert.equal(storageConfig.driver, 's3');
    config = storageConfig;
    storage = await createStorage(config);
  });
  after(() => storage.deletePrefix(prefix));

  /** A store whose part requests (real ones) are watched: how many at once, from how many buffers. */
  const watchedStore = () => {
    const bulk = bulkClient(config);
    const seen = { inFlight: 0, maxInFlight: 0, parts: 0, buffers: new Set<ArrayBufferLike>() };
    const send = bulk.uploadPart.bind(bulk);
    bulk.uploadPart = async (part, payload) => {
      seen.parts += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, (seen.inFlight += 1));
      if (Buffer.isBuffer(payload)) seen.buffers.add(payload.buffer);
      try {
        return await send(part, payload);
      } finally {
        seen.inFlight -= 1;
      }
    };
    return { store: BufferedS3Store.create(config, { partSize: PART, expirationPeriodInMilliseconds: 3_600_000 }, bulk), seen };
  };

  const open = async (store: BufferedS3Store, size: number) => {
    const id = `${prefix}${randomUUID()}/original`;
    await store.create(new Upload({ id, size, offset: 0 }));
    return id;
  };

  it('stores a many-part upload byte for byte, at most two parts in flight from at most three buffers', async () => {
    const { store, seen } = watchedStore();
    const data = randomBytes(8 * PART + 12_345);
    const id = await open(store, data.length);
    assert.equal(await store.write(inOddPieces(data), id, 0), data.length);
    assert.equal(seen.parts, 9);
    assert.ok(seen.maxInFlight <= 2, `parts in flight at once: ${seen.maxInFlight}`);
    assert.ok(seen.buffers.size <= 3, `part buffers: ${seen.buffers.size}`);
    assert.ok((await buffer(await storage.get(id))).equals(data));
    assert.equal((await store.getUpload(id)).offset, data.length);
  });

  it('keeps a cut PATCH\'s short tail as the .part object, and a later PATCH (another process) joins it up', async () => {
    const first = watchedStore().store;
    const data = randomBytes(3 * PART + 777);
    const id = await open(first, data.length);
    const cut = PART + 2 * MiB + 5; // one whole part and a tail under S3's minimum part
    assert.equal(await first.write(inOddPieces(data.subarray(0, cut)), id, 0), cut);
    assert.equal((await storage.stat(`${id}.part`))?.size, cut - PART, 'the tail is kept as the .part object');

    const resumable = new ResumableStore(watchedStore().store);
    assert.equal((await resumable.datastore.getUpload(id)).offset, cut, 'a fresh store reads the offset back from storage');
    assert.equal(await resumable.datastore.write(inOddPieces(data.subarray(cut)), id, cut), data.length);
    assert.equal(await storage.stat(`${id}.part`), null, 'the tail went into the next part');
    const stored = await buffer(await storage.get(id));
    assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(data).digest('hex'));
  });
});
