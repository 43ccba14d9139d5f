import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cacheKeys, invalidateVideoCache } from '../../src/cache/video-cache';
import { VideoEntity } from '../../src/db/entities';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

const PAGE = `query($first:Int,$after:String){ videos(first:$first, after:$after){
  edges{ cursor node{ id title viewCount uploader{ id displayName } renditions{ height codecs } poster{ url } playback{ hlsUrl } } }
  pageInfo{ hasNextPage endCursor } } }`;
const ONE = 'query($id:ID!){ video(id:$id){ id title status visibility renditions{ height } uploader{ id } } }';

describe('reads: batching, cache, privacy, edits', () => {
  let a: TestStack;
  let b: TestStack; // a second API process on the same database, Redis prefix and bucket
  let owner: { token: string; userId: string };
  let other: { token: string; userId: string };

  before(async () => {
    a = await startStack();
    b = await startStack({ env: { DATABASE_URL: a.config.databaseUrl, REDIS_PREFIX: a.config.redisPrefix, S3_BUCKET: a.config.storage.driver === 's3' ? a.config.storage.bucket : 'x' } });
    owner = await signUp(a.url, 'Owner');
    other = await signUp(a.url, 'Other');
  });
  after(async () => {
    await b.api.close(); // only one of them drops the shared database
    await a.close();
  });

  it('serves a 50-video page with uploader, renditions and poster in a constant number of statements', async (t) => {
    const uploaders = [owner, other, await signUp(a.url, 'Third')];
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 55; i += 1) {
      await seedVideo(a, { ownerId: uploaders[i % 3]!.userId, title: `v${i}`, createdAt: new Date(base + i * 1000) });
    }
    const before = a.api.infra.queryCount();
    const r = await gql<{ videos: { edges: { node: { title: string; uploader: { id: string }; renditions: unknown[]; poster: { url: string } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(a.url, PAGE, { first: 50 });
    const statements = a.api.infra.queryCount() - before;
    assert.equal(r.errors, undefined);
    assert.equal(r.data?.videos.edges.length, 50);
    assert.ok(statements <= 5, `page cost ${statements} statements`);
    t.diagnostic(`50-video page: ${statements} SQL statements`);
    assert.equal(r.data?.videos.edges[0]?.node.title, 'v54', 'newest first');
    assert.ok(r.data?.videos.edges.every((e) => e.node.renditions.length === 2 && e.node.poster.url.endsWith('/poster.jpg')));
    assert.equal(r.data?.videos.pageInfo.hasNextPage, true);
    const next = await gql<{ videos: { edges: { node: { title: string } }[]; pageInfo: { hasNextPage: boolean } } }>(a.url, PAGE, { first: 50, after: r.data?.videos.pageInfo.endCursor });
    assert.deepEqual(next.data?.videos.edges.map((e) => e.node.title), ['v4', 'v3', 'v2', 'v1', 'v0']);
    assert.equal(next.data?.videos.pageInfo.hasNextPage, false);
  });

  it('refuses first above 100 or negative, and bad cursors, with BAD_USER_INPUT', async () => {
    for (const vars of [{ first: 101 }, { first: -1 }, { first: 5, after: 'garbage' }]) {
      assert.equal(errorCode(await gql(a.url, PAGE, vars)), 'BAD_USER_INPUT', JSON.stringify(vars));
    }
  });

  it('caches video(id): a hit costs no statement, misses are single-flight', async (t) => {
    const id = await seedVideo(a, { ownerId: owner.userId });
    let before = a.api.infra.queryCount();
    const q = 'query($id:ID!){ video(id:$id){ id title renditions{ height } } }';
    const cold = await Promise.all(Array.from({ length: 20 }, () => gql<{ video: { id: string } }>(a.url, q, { id })));
    assert.ok(cold.every((r) => r.data?.video.id === id));
    const coldStatements = a.api.infra.queryCount() - before;
    assert.ok(coldStatements <= 2, `20 concurrent cold reads cost ${coldStatements} statements`);
    t.diagnostic(`20 concurrent cold reads in one process: ${coldStatements} SQL statements`);
    before = a.api.infra.queryCount();
    const warm = await gql<{ video: { renditions: unknown[]; uploader: { id: string } } }>(a.url, 'query($id:ID!){ video(id:$id){ id renditions{ height } } }', { id });
    assert.equal(warm.data?.video.renditions.length, 2);
    assert.equal(a.api.infra.queryCount() - before, 0, 'a cache hit (renditions included) needs no statement');
    assert.ok(await a.api.infra.redis.ttl(cacheKeys(a.config.redisPrefix, id).data) > 0, 'entries expire');
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    assert.match(metrics, /video_cache_lookups_total\{outcome="hit"\} [1-9]/);
    assert.match(metrics, /video_cache_lookups_total\{outcome="miss"\} [1-9]/);
  });

  it('lets one process load a cold video while the other waits for it (lease)', async (t) => {
    const id = await seedVideo(a, { ownerId: owner.userId });
    const q = 'query($id:ID!){ video(id:$id){ id renditions{ height } } }';
    const [qa, qb] = [a.api.infra.queryCount(), b.api.infra.queryCount()];
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => gql<{ video: { id: string } }>(i % 2 ? a.url : b.url, q, { id })));
    assert.ok(all.every((r) => r.data?.video.id === id));
    const statements = a.api.infra.queryCount() - qa + (b.api.infra.queryCount() - qb);
    assert.ok(statements <= 4, `two cold processes cost ${statements} statements`);
    t.diagnostic(`20 cold reads over two processes: ${statements} SQL statements`);
  });

  it('caches misses briefly and never answers 500 for unknown or malformed ids', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    assert.equal((await gql<{ video: null }>(a.url, ONE, { id: missing })).data?.video, null);
    const before = a.api.infra.queryCount();
    assert.equal((await gql<{ video: null }>(a.url, ONE, { id: missing })).data?.video, null);
    assert.equal(a.api.infra.queryCount() - before, 0, 'negative entry answered');
    const ttl = await a.api.infra.redis.ttl(cacheKeys(a.config.redisPrefix, missing).data);
    assert.ok(ttl > 0 && ttl <= a.config.playback.cacheNegativeTtlSeconds);
    for (const id of ['nope', '../../etc', "1' OR 1=1 --"]) {
      const r = await gql<{ video: null }>(a.url, ONE, { id });
      assert.equal(r.status, 200);
      assert.equal(r.data?.video, null);
    }
  });

  it('invalidates across processes on update, and on a status change by another process', async () => {
    const id = await seedVideo(a, { ownerId: owner.userId, title: 'Before' });
    assert.equal((await gql<{ video: { title: string } }>(a.url, ONE, { id })).data?.video.title, 'Before');
    assert.equal((await gql<{ video: { title: string } }>(b.url, ONE, { id })).data?.video.title, 'Before');
    const upd = await gql<{ updateVideo: { title: string } }>(b.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{title:"  After  "}){ title } }', { id }, owner.token);
    assert.equal(upd.data?.updateVideo.title, 'After');
    assert.equal((await gql<{ video: { title: string } }>(a.url, ONE, { id })).data?.video.title, 'After');

    // As the worker does: write the row, then invalidate (no API involved).
    await b.api.infra.ds.getRepository(VideoEntity).update({ id }, { status: VideoStatus.PROCESSING });
    assert.equal((await gql<{ video: { status: string } }>(a.url, ONE, { id })).data?.video.status, 'READY', 'still cached');
    await invalidateVideoCache(b.api.infra.redis, b.config.redisPrefix, id);
    assert.equal((await gql<{ video: { status: string } }>(a.url, ONE, { id })).data?.video.status, 'PROCESSING');
  });

  it('keeps private videos private: lists, another user, and through the cache', async () => {
    const id = await seedVideo(a, { ownerId: owner.userId, visibility: Visibility.PRIVATE, title: 'Secret' });
    const unlisted = await seedVideo(a, { ownerId: owner.userId, visibility: Visibility.UNLISTED, title: 'Unlisted' });
    // The owner's read fills the cache; nobody else may be served from it.
    assert.equal((await gql<{ video: { id: string } }>(a.url, ONE, { id }, owner.token)).data?.video.id, id);
    assert.equal((await gql<{ video: null }>(a.url, ONE, { id }, other.token)).data?.video, null);
    assert.equal((await gql<{ video: null }>(b.url, ONE, { id })).data?.video, null);
    assert.equal((await gql<{ video: { id: string } }>(a.url, ONE, { id: unlisted }, other.token)).data?.video.id, unlisted, 'unlisted opens by id');

    const listed = await gql<{ videos: { edges: { node: { id: string } }[] } }>(a.url, PAGE, { first: 100 }, other.token);
    const ids = listed.data?.videos.edges.map((e) => e.node.id) ?? [];
    assert.ok(!ids.includes(id) && !ids.includes(unlisted));
    const theirs = await gql<{ user: unknown; me: { videos: { edges: { node: { id: string } }[] } } }>(a.url, '{ me { videos(first:100){ edges{ node{ id } } } } }', {}, owner.token);
    const mine = theirs.data?.me.videos.edges.map((e) => e.node.id) ?? [];
    assert.ok(mine.includes(id) && mine.includes(unlisted), 'the owner sees all of theirs');

    // Made public, then private again: every process follows.
    await gql(a.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{visibility:PUBLIC}){ id } }', { id }, owner.token);
    assert.equal((await gql<{ video: { id: string } }>(b.url, ONE, { id })).data?.video.id, id);
    await gql(a.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{visibility:PRIVATE}){ id } }', { id }, owner.token);
    assert.equal((await gql<{ video: null }>(b.url, ONE, { id })).data?.video, null);
  });

  it('lets only the owner edit: FORBIDDEN for others, NOT_FOUND for strangers on private videos', async () => {
    const pub = await seedVideo(a, { ownerId: owner.userId });
    const priv = await seedVideo(a, { ownerId: owner.userId, visibility: Visibility.PRIVATE });
    const update = 'mutation($id:ID!){ updateVideo(id:$id, input:{title:"Hijacked"}){ id } }';
    const del = 'mutation($id:ID!){ deleteVideo(id:$id) }';
    assert.equal(errorCode(await gql(a.url, update, { id: pub }, other.token)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(a.url, del, { id: pub }, other.token)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(a.url, update, { id: priv }, other.token)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(a.url, del, { id: priv }, other.token)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(a.url, update, { id: pub })), 'UNAUTHENTICATED');
    assert.equal(errorCode(await gql(a.url, del, { id: 'not-a-uuid' }, owner.token)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql(a.url, del, { id: '00000000-0000-4000-8000-000000000001' }, owner.token)), 'NOT_FOUND');
    for (const input of ['{title:"   "}', `{title:"${'x'.repeat(201)}"}`, `{description:"${'d'.repeat(5001)}"}`]) {
      const r = await gql(a.url, `mutation($id:ID!){ updateVideo(id:$id, input:${input}){ id } }`, { id: pub }, owner.token);
      assert.equal(errorCode(r), 'BAD_USER_INPUT', input);
    }
    const row = await a.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id: pub });
    assert.notEqual(row.title, 'Hijacked');
    const cleared = await gql<{ updateVideo: { description: string | null } }>(a.url, 'mutation($id:ID!){ updateVideo(id:$id, input:{description:null}){ description } }', { id: pub }, owner.token);
    assert.equal(cleared.data?.updateVideo.description, null);
  });
});
