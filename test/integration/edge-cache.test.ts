import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createLogger } from '../../src/config/logger';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { EdgePurger } from '../../src/edge/edge-purger';
import { publicPathOf, publicPrefix } from '../../src/storage/keys';
import { startEdge, originMediaRequests, type Edge } from '../helpers/edge';
import { freePort, startStack, type TestStack } from '../helpers/env';
import { gql, signUp } from '../helpers/graphql';
import { makeLadder, mediaDir, queueVideo, reencode, seedVideo, waitForJob, waitForStatus, type MediaDir } from '../helpers/media';

type Ladder = Awaited<ReturnType<typeof makeLadder>>;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; cache: string | null; cacheControl: string | null; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, cache: res.headers.get('x-cache'), cacheControl: res.headers.get('cache-control'), body: Buffer.from(await res.arrayBuffer()) };
}

/** A request from a chosen loopback source address (fetch cannot pick one). */
function banFrom(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'BAN', localAddress }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('edge cache (Varnish with deploy/varnish/default.vcl) in front of the API', () => {
  let stack: TestStack;
  let edge: Edge;
  let ladder: Ladder;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  const origin = () => originMediaRequests(stack.url);

  before(async () => {
    // The platform purges the edge itself (EDGE_PURGE_URL), from the API and from the worker; one
    // BAN per change here (no repeat), so a test sees exactly what each change purged.
    const purgePort = await freePort();
    const env = { EDGE_PURGE_URL: `http://127.0.0.1:${purgePort}`, EDGE_PURGE_REPEAT_SECONDS: '0' };
    [stack, ladder, media] = await Promise.all([startStack({ worker: true, env }), makeLadder(), mediaDir()]);
    edge = await startEdge(stack.url, { purgePort });
    owner = await signUp(stack.url, 'Edge');
  });
  after(async () => {
    await edge?.close();
    await stack?.close();
    await ladder?.cleanup();
    await media?.cleanup();
  });

  it('answers the first request for a segment from the origin (MISS) and the next from cache (HIT)', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const url = `${edge.url}/videos/${id}/r0/seg-00001.m4s`;
    const before = await origin();
    const first = await get(url);
    const second = await get(url);
    assert.equal(first.status, 200);
    assert.equal(first.cache, 'MISS');
    assert.equal(second.cache, 'HIT');
    assert.deepEqual(second.body, first.body);
    assert.match(second.cacheControl ?? '', /immutable/);
    assert.equal((await origin()) - before, 1);

    const manifest = `${edge.url}/videos/${id}/master.m3u8`;
    assert.equal((await get(manifest)).cache, 'MISS');
    assert.equal((await get(manifest)).cache, 'HIT', 'a public manifest is cached for its short max-age');
  });

  it('collapses 20 concurrent cold requests for one segment into a single origin request', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const url = `${edge.url}/videos/${id}/r1/seg-00002.m4s`;
    const before = await origin();
    const all = await Promise.all(Array.from({ length: 20 }, () => get(url)));
    assert.ok(all.every((r) => r.status === 200 && r.body.equals(all[0]!.body)));
    assert.equal((await origin()) - before, 1);
  });

  it('answers Range requests from the cached object', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const url = `${edge.url}/videos/${id}/r0/seg-00002.m4s`;
    const whole = await get(url);
    const before = await origin();
    const res = await fetch(url, { headers: { Range: 'bytes=10-109' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('x-cache'), 'HIT');
    assert.equal(res.headers.get('content-range'), `bytes 10-109/${whole.body.length}`);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), whole.body.subarray(10, 110));
    const cold = await fetch(`${edge.url}/videos/${id}/r1/seg-00001.m4s`, { headers: { Range: 'bytes=0-9' } });
    assert.equal(cold.status, 206, 'a cold Range request is answered too (the whole file is fetched once)');
    assert.equal((await cold.arrayBuffer()).byteLength, 10);
    assert.equal((await origin()) - before, 1);
  });

  it('never stores private media: token-bearing requests pass, tokenless ones get an uncached 404', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder, visibility: Visibility.PRIVATE });
    const q = await gql<{ video: { playback: { hlsUrl: string } } }>(stack.url, 'query($id:ID!){ video(id:$id){ playback { hlsUrl } } }', { id }, owner.token);
    const token = new URL(q.data!.video.playback.hlsUrl).searchParams.get('token');
    assert.ok(token);
    const before = await origin();
    for (let i = 0; i < 3; i += 1) {
      const signed = await get(`${edge.url}/videos/${id}/r0/seg-00001.m4s?token=${token}`);
      assert.equal(signed.status, 200);
      assert.equal(signed.cache, 'PASS');
      assert.match(signed.cacheControl ?? '', /^private/);
      const bare = await get(`${edge.url}/videos/${id}/r0/seg-00001.m4s`);
      assert.equal(bare.status, 404);
      assert.notEqual(bare.cache, 'HIT');
    }
    assert.equal((await origin()) - before, 6, 'every private request reached the origin');
  });

  it('is purged by the platform at once: after a switch to private or a delete the next request gets the new answer', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const seg = `${edge.url}/videos/${id}/r0/seg-00001.m4s`;
    const poster = `${edge.url}/videos/${id}/poster.jpg`;
    await get(seg);
    await get(poster);
    assert.equal((await get(seg)).cache, 'HIT');

    const update = (input: string) => gql(stack.url, `mutation($id:ID!){ updateVideo(id:$id, input:${input}){ id } }`, { id }, owner.token);
    assert.equal((await update('{ title: "Renamed" }')).errors, undefined);
    assert.equal((await get(seg)).cache, 'HIT', 'a new title changes no media: nothing purged');
    assert.equal((await update('{ visibility: PRIVATE }')).errors, undefined);
    const hidden = await get(seg);
    assert.deepEqual([hidden.status, hidden.cache], [404, 'MISS'], 'the public copy is gone the moment the mutation answers');
    assert.equal((await get(poster)).status, 404);

    const other = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const otherSeg = `${edge.url}/videos/${other}/r0/seg-00001.m4s`;
    await get(otherSeg);
    assert.equal((await get(otherSeg)).cache, 'HIT');
    const d = await gql(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id: other }, owner.token);
    assert.equal(d.errors, undefined);
    const gone = await get(otherSeg);
    assert.deepEqual([gone.status, gone.cache], [404, 'MISS']);
  });

  it('is purged by the worker when a re-encode is published: files of the old version answer 404, not a cached copy', async () => {
    const clip = await media.clip('edge.mp4', { seconds: 2 });
    const id = await queueVideo(stack, owner.userId, clip);
    assert.equal(await waitForJob(stack, id), 'completed');
    const first = await waitForStatus(stack, id, [VideoStatus.READY]);
    const oldSegment = (await stack.api.infra.storage.list(publicPrefix(id))).find((k) => k.endsWith('.m4s'));
    assert.ok(oldSegment);
    const url = `${edge.url}/videos/${id}/${publicPathOf(id, oldSegment)}`;
    assert.equal((await get(url)).cache, 'MISS');
    assert.equal((await get(url)).cache, 'HIT');

    // An operator's re-encode (READY → PROCESSING → READY).
    const second = await reencode(stack, id);
    assert.notEqual(second.hlsKey, first.hlsKey, 'a new generation was published');
    assert.equal(await stack.api.infra.storage.stat(oldSegment), null, 'the old generation is gone from storage');
    const stale = await get(url);
    assert.deepEqual([stale.status, stale.cache], [404, 'MISS']);
    assert.equal((await get(`${edge.url}/videos/${id}/${publicPathOf(id, second.hlsKey!)}`)).status, 200);
  });

  it('bans once more a moment later: a copy stored right after the first ban (a response in flight) does not survive', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    const seg = `${edge.url}/videos/${id}/r1/seg-00001.m4s`;
    await get(seg);
    const purger = new EdgePurger({ url: edge.purgeUrl, logger: createLogger(stack.config, 'edge-test'), repeatAfterMs: 500 });
    assert.equal(await purger.purgeVideo(id), true);
    assert.equal((await get(seg)).cache, 'MISS', 'stored again after the first ban');
    assert.equal((await get(seg)).cache, 'HIT');
    let cache: string | null = 'HIT';
    for (const until = Date.now() + 15_000; cache === 'HIT' && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      cache = (await get(seg)).cache;
    }
    assert.equal(cache, 'MISS', 'the second ban dropped the copy stored after the first');
  });

  it('accepts purges only on the purge listener, from the ACL, for one video prefix', async () => {
    const id = await seedVideo(stack, { ownerId: owner.userId, ladder });
    assert.equal((await fetch(`${edge.url}/videos/${id}/`, { method: 'BAN' })).status, 405, 'not on the public listener');
    assert.equal(await banFrom(`${edge.purgeUrl}/videos/${id}/`, '127.0.0.2'), 405, 'not from outside the ACL');
    assert.equal((await fetch(`${edge.purgeUrl}/videos/`, { method: 'BAN' })).status, 400, 'not everything at once');
    assert.equal((await fetch(`${edge.purgeUrl}/videos/${id}/.*`, { method: 'BAN' })).status, 400, 'no regex smuggled in');
  });

  it('passes everything else straight to the API, WebSockets included, and hides /metrics', async () => {
    const health = await get(`${edge.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.cache, 'PASS');
    assert.equal((await get(`${edge.url}/metrics`)).status, 404);
    const gqlRes = await fetch(`${edge.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    assert.deepEqual(await gqlRes.json(), { data: { __typename: 'Query' } });

    const ws = new WebSocket(`${edge.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const ack = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${owner.token}` } })));
      ws.once('message', (m: Buffer) => resolve((JSON.parse(m.toString()) as { type: string }).type));
      ws.once('error', reject);
    });
    ws.close();
    assert.equal(ack, 'connection_ack');
  });
});

describe('EdgePurger without a reachable edge', () => {
  const logger = createLogger({ env: 'test', logLevel: 'silent' }, 'edge-test');

  it('does nothing when no purge URL is configured', async () => {
    const purger = new EdgePurger({ url: null, logger });
    assert.equal(await purger.purgeVideo('00000000-0000-4000-8000-000000000000'), false);
  });

  // The test's own timeout is what fails if the purger's timeout did not work.
  it('gives up within its timeout on an edge that never answers, and on a closed port, without throwing', { timeout: 30_000 }, async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const hung = new EdgePurger({ url: `http://127.0.0.1:${port}`, logger, timeoutMs: 300 });
      assert.equal(await hung.purgeVideo('00000000-0000-4000-8000-000000000000'), false);
    } finally {
      silent.close();
    }
    const closed = new EdgePurger({ url: 'http://127.0.0.1:9', logger, timeoutMs: 300 });
    assert.equal(await closed.purgeVideo('00000000-0000-4000-8000-000000000000'), false);
  });
});
