import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp, wsClient, type GqlResult } from '../helpers/graphql';
import { TokenService } from '../../src/users/tokens';

/** One operation over graphql-ws, answered like an HTTP response (data and errors). */
function overWs(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  return new Promise((resolve, reject) => {
    let result: GqlResult = { status: 0 };
    client.subscribe(
      { query, variables },
      {
        next: (msg) => (result = { status: 0, ...(msg as Omit<GqlResult, 'status'>) }),
        // graphql-ws reports validation refusals as an array of errors, a closed socket as a CloseEvent.
        error: (err) => (Array.isArray(err) ? resolve({ status: 0, errors: err as GqlResult['errors'] }) : reject(err)),
        complete: () => resolve(result),
      },
    );
  });
}

/** A raw graphql-transport-ws socket; resolves with the close code and reason. */
function rawSocket(url: string): { socket: WebSocket; closed: Promise<{ code: number; reason: string }>; open: Promise<void> } {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  // A socket the server leaves open fails the test after 8 s instead of hanging it.
  const closed = new Promise<{ code: number; reason: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('the server left the socket open'));
    }, 8000);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
  const open = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  return { socket, closed, open };
}

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
const DEEP = '{ videos { edges { node { uploader { videos { edges { node { uploader { videos { edges { node { id } } } } } } } } } } } }';
const COSTLY = '{ videos(first: 100) { edges { node { uploader { videos(first: 100) { edges { node { id title renditions { height } } } } } } } } }';
const manyTokens = (n: number) => `{ me { ${Array.from({ length: n }, () => 'id').join(' ')} } }`;

describe('security: one rule set for HTTP and graphql-ws (issue 9, items 2 and 3)', () => {
  let stack: TestStack;
  let token: string;
  let ws: Client;
  before(async () => {
    stack = await startStack({ env: { UPLOAD_RATE_LIMIT: '1', GRAPHQL_MAX_COMPLEXITY_ANONYMOUS: '500' } });
    ({ token } = await signUp(stack.url));
    ws = wsClient(stack.url, token);
  });
  after(async () => {
    await ws.dispose();
    await stack.close();
  });

  it('refuses too many aliases on both transports', async () => {
    assert.equal(errorCode(await gql(stack.url, aliases(40), {}, token)), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(errorCode(await overWs(ws, aliases(40))), 'GRAPHQL_VALIDATION_FAILED');
    assert.ok((await gql(stack.url, aliases(3), {}, token)).data, 'a few aliases pass');
  });

  it('refuses too many tokens on both transports', async () => {
    assert.equal(errorCode(await gql(stack.url, manyTokens(5000), {}, token)), 'GRAPHQL_PARSE_FAILED');
    assert.equal(errorCode(await overWs(ws, manyTokens(5000))), 'GRAPHQL_PARSE_FAILED');
  });

  it('limits depth and cost over the WebSocket as over HTTP', async () => {
    const deep = await overWs(ws, DEEP);
    assert.equal(errorCode(deep), 'GRAPHQL_VALIDATION_FAILED');
    assert.match(deep.errors?.[0]?.message ?? '', /depth/);
    const costly = await overWs(ws, COSTLY);
    assert.equal(errorCode(costly), 'BAD_USER_INPUT');
    assert.match(costly.errors?.[0]?.message ?? '', /too complex/);
    assert.equal(costly.data, undefined);
  });

  it('gives errors over the WebSocket the same codes, and the same per-user limits', async () => {
    const missing = await overWs(ws, 'mutation { updateVideo(id: "00000000-0000-4000-8000-000000000000", input: { title: "x" }) { id } }');
    assert.equal(errorCode(missing), 'NOT_FOUND');
    const upload = 'mutation { createUpload(input: { title: "t", sizeBytes: 10 }) { uploadUrl } }';
    assert.ok((await overWs(ws, upload)).data, 'first upload allowed');
    const limited = await overWs(ws, upload);
    assert.equal(errorCode(limited), 'RATE_LIMITED');
    assert.ok(Number(limited.errors?.[0]?.extensions?.retryAfterSeconds) > 0);
  });

  it('validates list arguments before the cost, on both transports', async () => {
    // A negative `first` used to lower the cost, letting an expensive sibling through.
    const q = `{ continueWatching(first: -1000000) { positionSeconds } ${COSTLY.slice(1, -1)} }`;
    for (const r of [await gql(stack.url, q, {}, token), await overWs(ws, q)]) {
      assert.equal(errorCode(r), 'BAD_USER_INPUT');
      assert.match(r.errors?.[0]?.message ?? '', /first/);
      assert.equal(r.data ?? undefined, undefined, 'nothing ran');
    }
    for (const first of [0, -1, 101, 2 ** 31 - 1]) {
      const r = await gql(stack.url, 'query($f:Int){ continueWatching(first: $f) { positionSeconds } }', { f: first }, token);
      assert.equal(errorCode(r), 'BAD_USER_INPUT', `first: ${first}`);
      assert.equal(r.data ?? undefined, undefined, `first: ${first}`);
    }
  });

  it('gives anonymous callers a lower budget than signed-in ones', async () => {
    // About 50 × 20: above the anonymous budget (500 here), within the signed-in one.
    const q = '{ videos(first: 50) { edges { cursor node { id title description status visibility durationSeconds viewCount createdAt uploader { id displayName } poster { url width height } renditions { height width bitrate codecs } } } } }';
    const anonymous = await gql(stack.url, q);
    assert.equal(errorCode(anonymous), 'BAD_USER_INPUT');
    assert.match(anonymous.errors?.[0]?.message ?? '', /too complex/);
    const signedIn = await gql(stack.url, q, {}, token);
    assert.equal(signedIn.errors, undefined, JSON.stringify(signedIn.errors));
  });

  it('caps WebSocket frames at 1 MiB', async () => {
    const { socket, closed, open } = rawSocket(stack.url);
    await open;
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}`, pad: 'x'.repeat(2 * 1024 * 1024) } }));
    assert.equal((await closed).code, 1009);
  });

  it('closes connections that never send connection_init, and refuses operations before it', async () => {
    const idle = rawSocket(stack.url);
    await idle.open;
    const started = Date.now();
    assert.equal((await idle.closed).code, 4408);
    assert.ok(Date.now() - started < 10_000);

    const early = rawSocket(stack.url);
    await early.open;
    early.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: manyTokens(50_000) } }));
    assert.equal((await early.closed).code, 4401);
  });

  it('closes the connection when its token expires, and re-checks the token on subscribe', async () => {
    const { userId } = await signUp(stack.url);
    const shortLived = await new TokenService(stack.config.jwtSecret, 2).sign(userId);
    const { socket, closed, open } = rawSocket(stack.url);
    await open;
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${shortLived}` } }));
    const started = Date.now();
    const { code } = await closed;
    assert.equal(code, 4403);
    assert.ok(Date.now() - started < 10_000, 'closed at expiry (2 s), not left open');
  });
});
