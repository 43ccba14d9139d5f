import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publicKey } from '../../src/storage/keys';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { makeLadder, seedVideo } from '../helpers/media';

/** Segments' stats are kept in process (StatCache): a kept stat must never outlive its file's answer. */
describe('delivery: kept segment stats', () => {
  let stack: TestStack;
  let ladder: Awaited<ReturnType<typeof makeLadder>>;
  before(async () => {
    stack = await startStack();
    ladder = await makeLadder();
  });
  after(async () => {
    await stack.close();
    await ladder.cleanup();
  });

  it('serves a segment twice the same way, then 404 (not an error) once its file is gone', async () => {
    const { userId } = await signUp(stack.url);
    const id = await seedVideo(stack, { ownerId: userId, ladder });
    const url = `${stack.url}/videos/${id}/r0/seg-00001.m4s`;
    const first = await fetch(url);
    const bytes = Buffer.from(await first.arrayBuffer());
    assert.equal(first.status, 200);
    const second = await fetch(url);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('etag'), first.headers.get('etag'));
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), bytes);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), bytes.subarray(0, 10));
    // As when a new generation replaces this one: the file goes, the row stays.
    await stack.api.infra.storage.delete(publicKey(id, 'r0/seg-00001.m4s'));
    assert.equal((await fetch(url)).status, 404);
    assert.equal((await fetch(url)).status, 404);
  });
});
