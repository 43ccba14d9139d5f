import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseCache } from '../../src/cache/response-cache';
import { Visibility } from '../../src/domain/video-status';
import { answers, startProcess, waitFor, type Proc } from '../cluster/processes';
import { freePort, S3_ENV, startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

const VIDEO = 'query($id: ID!) { video(id: $id) { id title visibility } }';
const SECRET = randomBytes(24).toString('hex');
const LIST = '{ videos(first: 20) { edges { node { id title } } } }';

interface Answer {
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
  cacheControl: string | null;
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { body: (await res.json()) as Answer['body'], cacheControl: res.headers.get('cache-control') };
}

const titleOf = (a: Answer) => (a.body.data?.video as { title: string } | null)?.title;
const listTitles = (a: Answer) => (a.body.data?.videos as { edges: { node: { title: string } }[] }).edges.map((e) => e.node.title);

/**
 * The full-response cache on real Redis, with a second API in its own OS process sharing the
 * database and Redis: an edit through one process is visible at once through the other, lists
 * included, and nothing authenticated is cached or marked public.
 */
describe('full-response cache for anonymous public reads', () => {
  let stack: TestStack;
  let other: Proc;
  let otherUrl: string;
  let logDir: string;
  let owner: { token: string; userId: string };
  let videoId: string;

  before(async () => {
    // Both processes must accept the same tokens: one secret for both (tests otherwise get fresh ones per config).
    stack = await startStack({ env: { RESPONSE_CACHE_TTL_SECONDS: '300', JWT_SECRET: SECRET } });
    logDir = await mkdtemp(path.join(tmpdir(), 'vp-rc-'));
    const port = await freePort();
    otherUrl = `http://127.0.0.1:${port}`;
    const c = stack.config;
    other = startProcess('api-2', process.execPath, [path.resolve(__dirname, '../../src/main.js')], {
      ...S3_ENV,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: stack.url,
      DATABASE_URL: c.databaseUrl,
      REDIS_PREFIX: c.redisPrefix,
      S3_BUCKET: c.storage.driver === 's3' ? c.storage.bucket : '',
      RESPONSE_CACHE_TTL_SECONDS: '300',
      JWT_SECRET: SECRET,
    }, path.join(logDir, 'api-2.log'));
    await waitFor('second API', () => answers(`${otherUrl}/healthz`), 60_000, other);
    owner = await signUp(stack.url);
    videoId = await seedVideo(stack, { ownerId: owner.userId, title: 'first title' });
  });
  after(async () => {
    await other?.stop();
    await stack?.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it('answers a repeated anonymous read from the cache, marked public for a CDN', async () => {
    const first = await post(otherUrl, VIDEO, { id: videoId });
    assert.equal(titleOf(first), 'first title');
    assert.match(first.cacheControl ?? '', /^public, max-age=300$/);
    // Another spelling of the same request hits the entry the other process stored.
    const again = await post(stack.url, VIDEO, { id: videoId });
    assert.deepEqual(again.body, first.body);
    assert.match(again.cacheControl ?? '', /^public/);
  });

  it('shows an edit made through one process at once through the other (video and list)', async () => {
    assert.equal(titleOf(await post(otherUrl, VIDEO, { id: videoId })), 'first title');
    assert.ok(listTitles(await post(otherUrl, LIST)).includes('first title'));
    const edit = await post(stack.url, 'mutation($id: ID!) { updateVideo(id: $id, input: { title: "second title" }) { title } }', { id: videoId }, owner.token);
    assert.equal((edit.body.data?.updateVideo as { title: string }).title, 'second title');
    assert.equal(titleOf(await post(otherUrl, VIDEO, { id: videoId })), 'second title');
    assert.deepEqual(listTitles(await post(otherUrl, LIST)), ['second title']);
  });

  it('drops a video that turns private from anonymous answers at once', async () => {
    assert.equal(titleOf(await post(otherUrl, VIDEO, { id: videoId })), 'second title');
    await post(stack.url, 'mutation($id: ID!) { updateVideo(id: $id, input: { visibility: PRIVATE }) { id } }', { id: videoId }, owner.token);
    assert.equal((await post(otherUrl, VIDEO, { id: videoId })).body.data?.video, null);
    assert.deepEqual(listTitles(await post(otherUrl, LIST)), []);
    const mine = await post(otherUrl, VIDEO, { id: videoId }, owner.token);
    assert.equal(titleOf(mine), 'second title', 'the owner still sees it');
  });

  it('answers a burst of identical misses once, each with the same fresh answer', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, title: 'burst' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(otherUrl, VIDEO, { id })));
    assert.ok(answers.every((a) => titleOf(a) === 'burst' && /^public/.test(a.cacheControl ?? '')), JSON.stringify(answers[0]));
    await post(stack.url, 'mutation($id: ID!) { updateVideo(id: $id, input: { title: "after burst" }) { id } }', { id }, owner.token);
    const again = await Promise.all(Array.from({ length: 20 }, () => post(otherUrl, VIDEO, { id })));
    assert.ok(again.every((a) => titleOf(a) === 'after burst'));
  });

  it('never caches nor marks public what a signed-in caller asks, nor per-request fields', async () => {
    const visible = await seedVideo(stack, { ownerId: owner.userId, title: 'public one', visibility: Visibility.PUBLIC });
    const mine = await post(otherUrl, VIDEO, { id: visible }, owner.token);
    assert.doesNotMatch(mine.cacheControl ?? '', /public/);
    const download = await post(otherUrl, 'query($id: ID!) { video(id: $id) { id download { status } } }', { id: visible });
    assert.doesNotMatch(download.cacheControl ?? '', /public/);
    const me = await post(otherUrl, '{ me { id } }');
    assert.doesNotMatch(me.cacheControl ?? '', /public/);
  });

  it('refuses a fill computed before an invalidation (the race an edit can lose)', async () => {
    const cache = new ResponseCache(stack.api.infra.redis, stack.config.redisPrefix, { enabled: true, ttlSeconds: 60 });
    const key = cache.keyOf('{ x }', null, null);
    // A miss hands out the generation to fill with, as the middleware uses it.
    const generation = async () => {
      const found = await cache.lookup(key);
      assert.ok('generation' in found, 'a miss');
      return found.generation;
    };
    const gen = await generation();
    await cache.invalidate(videoId);
    assert.equal(await cache.fill(key, '{"data":{}}', [videoId], gen), false);
    assert.ok('generation' in (await cache.lookup(key)), 'nothing stored');
    assert.equal(await cache.fill(key, '{"data":{}}', [videoId], await generation()), true);
    assert.deepEqual(await cache.lookup(key), { hit: '{"data":{}}' });
    await cache.invalidate(videoId);
    assert.ok('generation' in (await cache.lookup(key)), 'dropped with its tag');
  });
});
