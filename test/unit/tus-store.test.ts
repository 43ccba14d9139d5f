import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Upload } from '@tus/server';
import { legacySourceKey, sourceKey } from '../../src/storage/keys';
import { ResumableStore, uploadIdOf } from '../../src/storage/tus-store';

describe('ResumableStore (tus file store on a temp dir)', () => {
  let dir: string;
  let store: ResumableStore;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vp-tus-'));
    store = ResumableStore.create({ driver: 'local', dataDir: dir }, 3600);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const data = Buffer.from('0123456789'.repeat(1000));
  const sha = createHash('sha256').update(data).digest('hex');

  it('hashes contiguous writes on the way in and stores at sources/<id>/original, outside videos/', async () => {
    const id = randomUUID();
    await store.open(id, data.length, { filename: 'a.mp4' });
    let offset = await store.datastore.write(Readable.from([data.subarray(0, 3000)]), uploadIdOf(id), 0);
    offset = await store.datastore.write(Readable.from([data.subarray(3000)]), uploadIdOf(id), offset);
    assert.equal(offset, data.length);
    assert.equal(await store.offset({ id, sourceKey: sourceKey(id) }), data.length);
    assert.equal(store.takeSha256(id, data.length), sha);
    assert.equal(uploadIdOf(id), sourceKey(id));
    assert.deepEqual(await readFile(path.join(dir, 'objects', 'sources', id, 'original')), data);
  });

  it('gives no hash when it did not see every byte (resumed elsewhere)', async () => {
    const id = randomUUID();
    await store.open(id, data.length, {});
    const other = ResumableStore.create({ driver: 'local', dataDir: dir }, 3600);
    const offset = await other.datastore.write(Readable.from([data.subarray(0, 4000)]), uploadIdOf(id), 0);
    await store.datastore.write(Readable.from([data.subarray(offset)]), uploadIdOf(id), offset);
    assert.equal(store.takeSha256(id, data.length), null);
    await store.remove(id);
    assert.equal(await store.offset({ id, sourceKey: sourceKey(id) }), null);
  });

  it('keeps serving an upload opened before sources/ (its row records videos/<id>/source), and removes it', async () => {
    const id = randomUUID();
    const legacy = { id, sourceKey: legacySourceKey(id) };
    await store.datastore.create(new Upload({ id: legacy.sourceKey, size: data.length, offset: 0, metadata: {}, creation_date: new Date().toISOString() }));
    const offset = await store.datastore.write(Readable.from([data]), legacy.sourceKey, 0);
    assert.equal(offset, data.length);
    assert.equal(await store.offset(legacy), data.length);
    assert.equal(await store.offset({ id, sourceKey: sourceKey(id) }), null, 'nothing at the new key');
    assert.equal(store.takeSha256(id, data.length), sha);
    await store.remove(id);
    assert.equal(await store.offset(legacy), null);
  });
});
