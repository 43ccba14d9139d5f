import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VideoEntity, WatchEntryEntity } from '../../src/db/entities';
import { Visibility } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

const RECORD = 'mutation($v:ID!,$p:Float!){ recordPlayback(videoId:$v, positionSeconds:$p) }';
const CONTINUE = 'query($n:Int){ continueWatching(first:$n){ video{ id title } positionSeconds watchedAt } }';
type Entries = { continueWatching: { video: { id: string }; positionSeconds: number; watchedAt: string }[] };

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('watch history and view counts', () => {
  let stack: TestStack;
  let viewer: { token: string; userId: string };
  let owner: { token: string; userId: string };
  const videos: string[] = [];

  before(async () => {
    stack = await startStack({ env: { WATCH_HISTORY_MAX: '3', WATCH_FLUSH_INTERVAL_MS: '200', VIEW_FLUSH_INTERVAL_MS: '200' } });
    [viewer, owner] = [await signUp(stack.url, 'Viewer'), await signUp(stack.url, 'Owner')];
    for (let i = 0; i < 5; i += 1) videos.push(await seedVideo(stack, { ownerId: owner.userId, title: `w${i}` }));
  });
  after(() => stack.close());

  it('keeps a bounded, newest-first list with resume positions', async () => {
    for (const [i, id] of videos.entries()) {
      const r = await gql<{ recordPlayback: boolean }>(stack.url, RECORD, { v: id, p: i * 0.5 + 0.25 }, viewer.token);
      assert.equal(r.data?.recordPlayback, true, JSON.stringify(r.errors));
      await new Promise((res) => setTimeout(res, 5));
    }
    let list = await gql<Entries>(stack.url, CONTINUE, {}, viewer.token);
    assert.deepEqual(list.data?.continueWatching.map((e) => e.video.id), [videos[4], videos[3], videos[2]], 'bounded to 3');
    assert.deepEqual(list.data?.continueWatching.map((e) => e.positionSeconds), [2.25, 1.75, 1.25]);
    // Watching an older one again moves it to the top with its new position.
    await gql(stack.url, RECORD, { v: videos[2], p: 2.9 }, viewer.token);
    list = await gql<Entries>(stack.url, CONTINUE, { n: 2 }, viewer.token);
    assert.deepEqual(list.data?.continueWatching.map((e) => [e.video.id, e.positionSeconds]), [[videos[2], 2.9], [videos[4], 2.25]]);
    const times = list.data!.continueWatching.map((e) => Date.parse(e.watchedAt));
    assert.ok(times[0]! >= times[1]!);
    assert.equal(errorCode(await gql(stack.url, CONTINUE, { n: 4 }, viewer.token)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql(stack.url, CONTINUE, { n: -1 }, viewer.token)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql(stack.url, CONTINUE, {})), 'UNAUTHENTICATED');
  });

  it('refuses bad recordPlayback input and videos the user may not see', async () => {
    const priv = await seedVideo(stack, { ownerId: owner.userId, visibility: Visibility.PRIVATE });
    const cases: [Record<string, unknown>, string, string | undefined][] = [
      [{ v: videos[0], p: -1 }, 'BAD_USER_INPUT', viewer.token],
      [{ v: videos[0], p: 99 }, 'BAD_USER_INPUT', viewer.token], // beyond the 3 s video
      [{ v: 'nope', p: 1 }, 'BAD_USER_INPUT', viewer.token],
      [{ v: '00000000-0000-4000-8000-000000000000', p: 1 }, 'NOT_FOUND', viewer.token],
      [{ v: priv, p: 1 }, 'NOT_FOUND', viewer.token],
      [{ v: videos[0], p: 1 }, 'UNAUTHENTICATED', undefined],
    ];
    for (const [vars, code, token] of cases) assert.equal(errorCode(await gql(stack.url, RECORD, vars, token)), code, JSON.stringify(vars));
  });

  it('writes behind to MySQL and survives losing the Redis copy', async () => {
    const repo = stack.api.infra.ds.getRepository(WatchEntryEntity);
    const rows = await eventually(
      () => repo.find({ where: { userId: viewer.userId }, order: { watchedAt: 'DESC' } }),
      (r) => r.some((e) => e.videoId === videos[2] && e.positionSeconds === 2.9),
    );
    assert.ok(rows.some((e) => e.videoId === videos[2] && e.positionSeconds === 2.9), JSON.stringify(rows));
    const before = await gql<Entries>(stack.url, CONTINUE, {}, viewer.token);
    const { redis } = stack.api.infra;
    const keys = await redis.keys(`${stack.config.redisPrefix}:watch:${viewer.userId}:*`);
    assert.ok(keys.length >= 2);
    await redis.del(...keys);
    const afterLoss = await gql<Entries>(stack.url, CONTINUE, {}, viewer.token);
    assert.deepEqual(afterLoss.data?.continueWatching.map((e) => [e.video.id, e.positionSeconds]), before.data?.continueWatching.map((e) => [e.video.id, e.positionSeconds]));
  });

  it('drops deleted videos and hides ones made private', async () => {
    await gql(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id: videos[4] }, owner.token);
    await gql(stack.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{visibility:PRIVATE}){ id } }', { id: videos[2] }, owner.token);
    const list = await gql<Entries>(stack.url, CONTINUE, {}, viewer.token);
    assert.deepEqual(list.data?.continueWatching.map((e) => e.video.id), [videos[3]]);
  });

  it('counts views in Redis at once and flushes them to MySQL', async () => {
    const id = videos[0]!;
    for (let i = 0; i < 3; i += 1) assert.equal((await fetch(`${stack.url}/videos/${id}/master.m3u8`)).status, 404); // not there yet: no play start
    const q = 'query($id:ID!){ video(id:$id){ viewCount } }';
    const { storage } = stack.api.infra;
    const { Readable } = await import('node:stream');
    await storage.put(`videos/${id}/public/master.m3u8`, Readable.from(['#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=16x16\na.m3u8\n']));
    await storage.put(`videos/${id}/public/r0/seg-00001.m4s`, Readable.from([Buffer.alloc(100)]));
    for (let i = 0; i < 3; i += 1) assert.equal((await fetch(`${stack.url}/videos/${id}/master.m3u8`)).status, 200);
    await fetch(`${stack.url}/videos/${id}/r0/seg-00001.m4s`); // segments are not views
    const live = await eventually(() => gql<{ video: { viewCount: number } }>(stack.url, q, { id }), (r) => r.data?.video.viewCount === 3);
    assert.equal(live.data?.video.viewCount, 3);
    const row = await eventually(
      () => stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id }),
      (v) => v.viewCount === 3,
    );
    assert.equal(row.viewCount, 3);
  });
});
