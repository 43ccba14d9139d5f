import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startApi, type RunningApi } from '../../src/app/api';
import { createLogger } from '../../src/config/logger';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { assertNoOrphans } from '../helpers/storage-orphans';
import { trickle, tusHeaders } from '../helpers/slow-client';
import { createUpload, multipartBody, tusRequest, UPLOAD_MUTATION } from '../helpers/uploads';
import { uploadIdOf } from '../../src/storage/tus-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function headOffset(url: string, token: string): Promise<number> {
  const res = await tusRequest(url, 'HEAD', { authorization: `Bearer ${token}` });
  assert.equal(res.status, 200);
  return Number(res.headers.get('upload-offset'));
}

describe('uploads across API processes (cross-process tus lock)', () => {
  let stack: TestStack;
  let other: RunningApi;
  let media: MediaDir;
  let token: string;
  let clip: Buffer;
  before(async () => {
    stack = await startStack();
    // A second API process on the same database, Redis and bucket, as behind a load balancer.
    other = await startApi({ ...stack.config, port: 0 }, createLogger(stack.config, 'api'));
    media = await mediaDir();
    clip = await readFile(await media.clip('scale.mp4', { size: '640x360', extra: ['-b:v', '3M'] }));
    ({ token } = await signUp(stack.url));
  });
  after(async () => {
    await other.close();
    await stack.close();
    await media.cleanup();
  });

  const ticket = async (title: string) => {
    const r = await createUpload(stack.url, token, { title, filename: 'scale.mp4', sizeBytes: clip.length, visibility: 'PUBLIC' });
    assert.ok(r.data, JSON.stringify(r.errors));
    const id = r.data.createUpload.video.id;
    return { id, a: `${stack.url}/uploads/${id}`, b: `${other.url}/uploads/${id}` };
  };
  const rowOf = async (id: string) =>
    ((await stack.api.infra.ds.query('SELECT status, source_sha256 FROM videos WHERE id = ?', [id])) as { status: string; source_sha256: string | null }[])[0];

  it('takes consecutive PATCH and HEAD requests of one upload on alternating processes', async () => {
    const t = await ticket('Alternating');
    const third = Math.floor(clip.length / 3);
    const first = await tusRequest(t.a, 'PATCH', tusHeaders(token, 0), clip.subarray(0, third));
    assert.equal(first.status, 204);
    assert.equal(await headOffset(t.b, token), third);
    const second = await tusRequest(t.b, 'PATCH', tusHeaders(token, third), clip.subarray(third, 2 * third));
    assert.equal(second.status, 204);
    assert.equal(await headOffset(t.a, token), 2 * third);
    const last = await tusRequest(t.a, 'PATCH', tusHeaders(token, 2 * third), clip.subarray(2 * third));
    assert.equal(last.status, 204, await last.text());
    const row = await rowOf(t.id);
    assert.equal(row.status, 'QUEUED');
    assert.equal(row.source_sha256, createHash('sha256').update(clip).digest('hex'));
  });

  it('never interleaves two PATCHes of one upload sent at once to both processes', async () => {
    const t = await ticket('Concurrent');
    // A slow PATCH holds the lock on process A; a second PATCH at the same offset reaches B meanwhile.
    const slow = trickle(t.a, 'PATCH', tusHeaders(token, 0), clip, 20, 400);
    await sleep(600);
    const fast = await tusRequest(t.b, 'PATCH', tusHeaders(token, 0), clip);
    const held = await slow;
    // tus: the newcomer asks the holder to let go; the holder's request ends, then the newcomer
    // either writes from 0 (nothing was stored yet) or is refused (409/423): never both at once.
    assert.ok([204, 409, 423].includes(fast.status), `second PATCH: ${fast.status}`);
    assert.ok(held.status !== 204 || fast.status !== 204, 'both PATCHes cannot have written the same bytes');
    // The client resumes from whatever offset is stored, through either process.
    const offset = await headOffset(t.b, token);
    if (offset < clip.length) {
      const rest = await tusRequest(t.a, 'PATCH', tusHeaders(token, offset), clip.subarray(offset));
      assert.equal(rest.status, 204, await rest.text());
    }
    const row = await rowOf(t.id);
    assert.equal(row.status, 'QUEUED');
    assert.equal(row.source_sha256, createHash('sha256').update(clip).digest('hex'), 'the stored bytes are exactly the file');
    await assertNoOrphans(stack);
  });

  it('frees the lock of a request whose process died once its lease runs out', async () => {
    const t = await ticket('Orphaned lock');
    // A lease left by a process that is gone: nobody answers the request to let go.
    const key = `${stack.config.redisPrefix}:tus-lock:${uploadIdOf(t.id)}`;
    await stack.api.infra.redis.set(key, 'dead-process', 'PX', 1500);
    const started = Date.now();
    const res = await tusRequest(t.b, 'PATCH', tusHeaders(token, 0), clip);
    assert.equal(res.status, 204, await res.text());
    assert.ok(Date.now() - started >= 1000, 'waited for the lease');
    assert.equal((await rowOf(t.id)).status, 'QUEUED');
  });
});

describe('HTTP timeouts per route', () => {
  let stack: TestStack;
  let media: MediaDir;
  let token: string;
  let clip: Buffer;
  before(async () => {
    stack = await startStack({ env: { HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_REQUEST_TIMEOUT_SECONDS: '2', UPLOAD_IDLE_TIMEOUT_SECONDS: '2' } });
    media = await mediaDir();
    clip = await readFile(await media.clip('slow.mp4', { size: '320x240' }));
    ({ token } = await signUp(stack.url));
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it('drops a client that never finishes its headers (slowloris)', async () => {
    const { port } = new URL(stack.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      const dribble = setInterval(() => socket.write('a'), 200);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(dribble);
        resolve(Date.now() - started);
      });
    });
    assert.ok(closedAfter < 4000, `closed after ${closedAfter} ms`);
  });

  it('cuts a slow non-upload body after the request limit', async () => {
    const body = Buffer.from(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(2000) }));
    const sent = await trickle(`${stack.url}/graphql`, 'POST', { 'content-type': 'application/json' }, body, 10, 500);
    assert.ok(sent.status === 408 || sent.status === null, `status ${sent.status}`);
    assert.ok(sent.ms < 4000, `answered after ${sent.ms} ms`);
  });

  it('lets a tus PATCH and a multipart upload run past the request limit while bytes keep coming', async () => {
    const r = await createUpload(stack.url, token, { title: 'Slow tus', filename: 'slow.mp4', sizeBytes: clip.length });
    assert.ok(r.data, JSON.stringify(r.errors));
    const tus = await trickle(r.data.createUpload.uploadUrl, 'PATCH', tusHeaders(token, 0), clip, 8, 500);
    assert.equal(tus.status, 204, JSON.stringify(tus));
    assert.ok(tus.ms > 3000);

    const boundary = '----vpslow';
    const chunks: Buffer[] = [];
    for await (const c of multipartBody(boundary, { query: UPLOAD_MUTATION, variables: { file: null, input: { title: 'Slow multipart' } } }, { 0: ['variables.file'] }, [
      { field: '0', filename: 'slow.mp4', body: clip, contentType: 'video/mp4' },
    ]) as AsyncIterable<Buffer>) {
      chunks.push(chunk(c));
    }
    const multipart = await trickle(
      `${stack.url}/graphql`,
      'POST',
      { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
      Buffer.concat(chunks),
      8,
      500,
    );
    assert.equal(multipart.status, 200, JSON.stringify(multipart));
    assert.ok(multipart.ms > 3000);
    const rows = (await stack.api.infra.ds.query("SELECT title, status FROM videos WHERE title LIKE 'Slow%' ORDER BY title")) as { status: string }[];
    assert.deepEqual(
      rows.map((x) => x.status),
      ['QUEUED', 'QUEUED'],
    );
  });

  it('drops an upload that stops sending, and leaves nothing behind', async () => {
    const r = await createUpload(stack.url, token, { title: 'Stalled', filename: 'slow.mp4', sizeBytes: clip.length });
    assert.ok(r.data, JSON.stringify(r.errors));
    const stalled = await trickle(r.data.createUpload.uploadUrl, 'PATCH', tusHeaders(token, 0), clip, 4, 100, 2);
    assert.ok(stalled.status === null || stalled.status >= 400, JSON.stringify(stalled));
    assert.ok(stalled.ms < 6000, `dropped after ${stalled.ms} ms`);
    await assertNoOrphans(stack, { uploading: [r.data.createUpload.video.id] });
  });
});

const chunk = (c: Buffer | string): Buffer => (Buffer.isBuffer(c) ? c : Buffer.from(c));
