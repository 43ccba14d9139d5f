import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

const LIST = `query($first:Int,$after:String,$search:String,$uploaderId:ID,$orderBy:VideoOrder){
  videos(first:$first, after:$after, search:$search, uploaderId:$uploaderId, orderBy:$orderBy){
    edges{ cursor node{ id title viewCount uploader{ id displayName } renditions{ height } poster{ url } } }
    pageInfo{ hasNextPage endCursor } } }`;

interface Conn { edges: { cursor: string; node: { id: string; title: string; viewCount: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
type Vars = { first?: number; after?: string | null; search?: string; uploaderId?: string; orderBy?: string };

describe('videos(search, uploaderId, orderBy): full-text search, stable ordered pages, public READY only', () => {
  let stack: TestStack;
  let user: { token: string; userId: string };

  const list = async (vars: Vars) => {
    const r = await gql<{ videos: Conn }>(stack.url, LIST, vars);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.videos;
  };
  const titles = async (vars: Vars) => (await list({ first: 100, ...vars })).edges.map((e) => e.node.title);
  /** Every page of one listing, `first` at a time. */
  const walk = async (vars: Vars, first: number) => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard += 1) {
      const page: Conn = await list({ ...vars, first, after });
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  };

  before(async () => {
    stack = await startStack();
    user = await signUp(stack.url, 'Searcher');
  });
  after(() => stack?.close());

  it('finds a video by a word of its description, by title prefixes, with every word required', async () => {
    const me = await signUp(stack.url, 'Filmmaker');
    const base = Date.now() - 60_000;
    await seedVideo(stack, { ownerId: me.userId, title: 'Sunset timelapse', description: 'Filmed over the harbour at dusk', createdAt: new Date(base + 1000) });
    await seedVideo(stack, { ownerId: me.userId, title: 'City walk', description: 'A stroll through the old harbour market', createdAt: new Date(base + 2000) });
    await seedVideo(stack, { ownerId: me.userId, title: 'Cooking pasta', createdAt: new Date(base + 3000) });
    assert.deepEqual(await titles({ search: 'harbour' }), ['City walk', 'Sunset timelapse'], 'a description word, newest first');
    assert.deepEqual(await titles({ search: 'dusk harbour' }), ['Sunset timelapse'], 'all words must match');
    assert.deepEqual(await titles({ search: 'timel' }), ['Sunset timelapse'], 'prefix of a title word');
    assert.deepEqual(await titles({ search: 'the harbour at dusk' }), ['Sunset timelapse'], 'stopwords and short words are ignored, not required');
    assert.deepEqual(await titles({ search: 'HARBOUR', orderBy: 'OLDEST' }), ['Sunset timelapse', 'City walk'], 'case-insensitive, in the chosen order');
    assert.deepEqual(await titles({ search: 'harbour -dusk' }), ['Sunset timelapse'], '"-" is a separator, not an exclusion');
    assert.deepEqual(await titles({ search: 'submarine' }), []);
    assert.deepEqual(await titles({ search: '   ', uploaderId: me.userId }), ['Cooking pasta', 'City walk', 'Sunset timelapse'], 'blank is no search');
  });

  it('lists public READY videos only: never unlisted, private or unfinished ones, searched or not', async () => {
    const me = await signUp(stack.url, 'Mixed');
    const visible = await seedVideo(stack, { ownerId: me.userId, title: 'Zeppelin public' });
    await seedVideo(stack, { ownerId: me.userId, title: 'Zeppelin unlisted', visibility: Visibility.UNLISTED });
    await seedVideo(stack, { ownerId: me.userId, title: 'Zeppelin private', visibility: Visibility.PRIVATE });
    for (const status of [VideoStatus.UPLOADING, VideoStatus.QUEUED, VideoStatus.PROCESSING, VideoStatus.FAILED]) {
      await seedVideo(stack, { ownerId: me.userId, title: `Zeppelin ${status}`, status });
    }
    for (const orderBy of ['NEWEST', 'OLDEST', 'MOST_VIEWED']) {
      assert.deepEqual((await list({ first: 100, search: 'zeppelin', orderBy })).edges.map((e) => e.node.id), [visible], orderBy);
      assert.deepEqual((await list({ first: 100, uploaderId: me.userId, orderBy })).edges.map((e) => e.node.id), [visible], orderBy);
    }
    const signedIn = await gql<{ videos: Conn }>(stack.url, LIST, { first: 100, uploaderId: me.userId }, (await signUp(stack.url)).token);
    assert.deepEqual(signedIn.data?.videos.edges.map((e) => e.node.id), [visible]);
  });

  it('pages through each order without gaps or repeats, ties broken by id, and filters by uploader', async () => {
    const me = await signUp(stack.url, 'Prolific');
    const base = Date.now() - 3_600_000;
    const rows: { id: string; createdAt: number; views: number }[] = [];
    for (let i = 0; i < 23; i += 1) {
      // Pairs share a creation time and triples a view count, so only the id separates them.
      const createdAt = base + Math.floor(i / 2) * 1000;
      const views = Math.floor(i / 3) * 10;
      rows.push({ id: await seedVideo(stack, { ownerId: me.userId, title: `Episode ${i}`, description: 'season finale', createdAt: new Date(createdAt), viewCount: views }), createdAt, views });
    }
    await seedVideo(stack, { ownerId: user.userId, title: 'Not theirs', description: 'season finale' });
    const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const expected: Record<string, string[]> = {
      NEWEST: [...rows].sort((a, b) => b.createdAt - a.createdAt || byId(b.id, a.id)).map((r) => r.id),
      OLDEST: [...rows].sort((a, b) => a.createdAt - b.createdAt || byId(a.id, b.id)).map((r) => r.id),
      MOST_VIEWED: [...rows].sort((a, b) => b.views - a.views || byId(b.id, a.id)).map((r) => r.id),
    };
    for (const [orderBy, ids] of Object.entries(expected)) {
      for (const first of [1, 4, 7]) {
        assert.deepEqual(await walk({ uploaderId: me.userId, orderBy }, first), ids, `${orderBy} by ${first}`);
      }
      assert.deepEqual(await walk({ uploaderId: me.userId, orderBy, search: 'finale' }, 5), ids, `${orderBy} searched`);
    }
    assert.equal((await list({ first: 100, search: 'season finale' })).edges.length, 24, 'without the uploader filter, the other user\'s too');
  });

  it('refuses a cursor from another order, and malformed arguments, with BAD_USER_INPUT', async () => {
    await seedVideo(stack, { ownerId: user.userId, title: 'Cursor one' });
    await seedVideo(stack, { ownerId: user.userId, title: 'Cursor two' });
    const cursors = Object.fromEntries(await Promise.all(['NEWEST', 'OLDEST', 'MOST_VIEWED'].map(async (o) => [o, (await list({ first: 1, orderBy: o })).pageInfo.endCursor] as const)));
    for (const [made, cursor] of Object.entries(cursors)) {
      for (const used of ['NEWEST', 'OLDEST', 'MOST_VIEWED'].filter((o) => o !== made)) {
        const r = await gql(stack.url, LIST, { first: 1, after: cursor, orderBy: used });
        assert.equal(errorCode(r), 'BAD_USER_INPUT', `${made} cursor used with ${used}`);
        assert.match(r.errors?.[0]?.message ?? '', new RegExp(`belongs to the ${made} order`));
      }
      assert.equal((await gql(stack.url, LIST, { first: 1, after: cursor, orderBy: made })).errors, undefined);
    }
    const bad: Vars[] = [
      { search: 'x'.repeat(101) },
      { search: 'tab\there' },
      { search: 'a of to' },
      { uploaderId: 'not-a-user' },
      { orderBy: 'RANDOM' },
      { after: 'garbage' },
    ];
    for (const vars of bad) assert.equal(errorCode(await gql(stack.url, LIST, { first: 5, ...vars })), 'BAD_USER_INPUT', JSON.stringify(vars));
    for (const search of ["x' OR 1=1 --", '"unterminated', '***', '(+a -b)', 'émoji 🎬 fête']) {
      assert.equal((await gql(stack.url, LIST, { first: 5, search: `${search} cursor` })).errors, undefined, search);
    }
  });

  it('stays batched: a 50-video searched page in any order costs a constant number of statements', async (t) => {
    const uploaders = [user, await signUp(stack.url, 'B'), await signUp(stack.url, 'C')];
    for (let i = 0; i < 52; i += 1) {
      await seedVideo(stack, { ownerId: uploaders[i % 3]!.userId, title: `Batch ${i}`, description: 'orchestra rehearsal', viewCount: i % 7 });
    }
    for (const orderBy of ['NEWEST', 'OLDEST', 'MOST_VIEWED']) {
      const before = stack.api.infra.queryCount();
      const page = await list({ first: 50, search: 'orchestra', orderBy });
      const statements = stack.api.infra.queryCount() - before;
      assert.equal(page.edges.length, 50);
      assert.ok(statements <= 5, `${orderBy}: ${statements} statements`);
      t.diagnostic(`50-video searched page, ${orderBy}: ${statements} SQL statements`);
    }
  });
});
