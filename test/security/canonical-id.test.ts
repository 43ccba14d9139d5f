import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { cacheKeys } from '../../src/cache/video-cache';
import { JobQueue } from '../../src/jobs/job-queue';
import { jobIdFor } from '../../src/jobs/job-types';
import { publicKey, sourceKey } from '../../src/storage/keys';
import { listVideoObjects } from '../../src/storage/video-objects';
import { Visibility } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { makeLadder, seedVideo } from '../helpers/media';

/**
 * Issue 9, item 4: ids are canonicalised (lower case, validated) at the API boundary, so any
 * spelling of a video's id reaches the same row, cache entry, job and storage prefix.
 */
describe('one canonical id (issue 9, item 4)', () => {
  let stack: TestStack;
  let ladder: Awaited<ReturnType<typeof makeLadder>>;
  let owner: { token: string; userId: string };

  before(async () => {
    stack = await startStack();
    ladder = await makeLadder();
    owner = await signUp(stack.url);
  });
  after(async () => {
    await stack.close();
    await ladder.cleanup();
  });

  it('deleteVideo with an upper-case spelling removes the row, the cache entry, the queued job and every object', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder, visibility: Visibility.PUBLIC });
    const upper = id.toUpperCase();
    const { storage, redis, ds } = stack.api.infra;
    await storage.put(sourceKey(id), Readable.from([Buffer.alloc(100)]));
    await storage.put(publicKey(id, 'gen1/seg-00001.m4s'), Readable.from([Buffer.alloc(10)]));
    const jobs = new JobQueue(redis, stack.config.redisPrefix);
    await jobs.add('video.transcode', { videoId: id }, { delay: 60_000 });

    // Reads by any spelling find the one video (and fill the one cache entry).
    const read = await gql<{ video: { id: string } | null }>(stack.url, 'query($id:ID!){ video(id:$id){ id } }', { id: upper });
    assert.equal(read.data?.video?.id, id, 'answered with the canonical id');
    assert.equal(await redis.exists(cacheKeys(stack.config.redisPrefix, id).data), 1);
    const edit = await gql<{ updateVideo: { id: string; title: string } }>(stack.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{ title: "Renamed" }){ id title } }', { id: upper }, owner.token);
    assert.deepEqual(edit.data?.updateVideo, { id, title: 'Renamed' }, JSON.stringify(edit.errors));

    const del = await gql<{ deleteVideo: boolean }>(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id: upper }, owner.token);
    assert.equal(del.data?.deleteVideo, true, JSON.stringify(del.errors));
    assert.deepEqual(await ds.query('SELECT id FROM videos WHERE id = ?', [id]), []);
    assert.deepEqual(await listVideoObjects(storage, id), [], 'every object, the original too');
    assert.equal(await jobs.queue.getJob(jobIdFor('video.transcode', id)), undefined, 'the queued job');
    assert.deepEqual(await redis.keys(`${stack.config.redisPrefix}*${upper}*`), [], 'nothing was ever keyed by the other spelling');
    // Left: at most the response cache's invalidation counter (a tombstone that expires by itself).
    const left = await redis.keys(`${stack.config.redisPrefix}*${id}*`);
    assert.deepEqual(left.filter((k) => !k.endsWith(`:rc-tag:${id}:gen`)), [], 'no cache entry, job or counter of the video');
    for (const k of left) assert.ok((await redis.ttl(k)) > 0, `${k} expires`);
    for (const spelling of [id, upper]) {
      const again = await gql<{ video: null }>(stack.url, 'query($id:ID!){ video(id:$id){ id } }', { id: spelling });
      assert.equal(again.data?.video, null, `no stale answer for ${spelling}`);
    }
    assert.equal(errorCode(await gql(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id }, owner.token)), 'NOT_FOUND');
    await jobs.close();
  });

  it('refuses what is not a UUID in any spelling before touching anything', async () => {
    for (const bad of ['', 'x', '../etc', `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(11)}`, ' 3f1c9a52-7b1e-4d6a-9c39-8e2b7f0d4a11']) {
      assert.equal(errorCode(await gql(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id: bad }, owner.token)), 'BAD_USER_INPUT', JSON.stringify(bad));
    }
  });
});
