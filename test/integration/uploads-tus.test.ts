import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { createLogger } from '../../src/config/logger';
import { startApi } from '../../src/app/api';
import { startStack, type TestStack } from '../helpers/env';
import { collect, errorCode, gql, signUp, wsClient } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { assertNoOrphans, eventuallyNoOrphans } from '../helpers/storage-orphans';
import { createUpload, transcodeJobs, tusRequest, tusUpload } from '../helpers/uploads';
import { jobIdFor } from '../../src/jobs/job-types';

const LIMIT = 16 * 1024 * 1024;

/** Sends the first `bytes` of `body` as a PATCH from offset 0, then cuts the connection. */
async function patchAndCut(uploadUrl: string, token: string, body: Buffer, bytes: number): Promise<void> {
  const req = http.request(uploadUrl, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
      'content-length': String(body.length),
      authorization: `Bearer ${token}`,
    },
  });
  req.on('error', () => undefined);
  req.write(body.subarray(0, bytes));
  await new Promise((r) => setTimeout(r, 500));
  req.destroy();
  await new Promise((r) => setTimeout(r, 500));
}

async function headOffset(uploadUrl: string, token: string): Promise<number> {
  const res = await tusRequest(uploadUrl, 'HEAD', { authorization: `Bearer ${token}` });
  assert.equal(res.status, 200);
  return Number(res.headers.get('upload-offset'));
}

describe('resumable uploads (tus 1.0)', () => {
  let stack: TestStack;
  let media: MediaDir;
  let token: string;
  let clip: string;
  let clipBytes: Buffer;
  before(async () => {
    stack = await startStack({ env: { MAX_UPLOAD_BYTES: String(LIMIT) } });
    media = await mediaDir();
    // ~1 MB, so a PATCH can be cut in the middle.
    clip = await media.clip('tus.mp4', { size: '640x360', extra: ['-b:v', '3M'] });
    clipBytes = await readFile(clip);
    ({ token } = await signUp(stack.url));
  });
  afterEach(() => assertNoOrphans(stack));
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  const ticketFor = async (size: number, who = token, title = 'Resumable') => {
    const r = await createUpload(stack.url, who, { title, filename: 'tus.mp4', sizeBytes: size });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.createUpload;
  };

  it('takes an upload from tus-js-client, validates it and queues one transcode job', async () => {
    const ticket = await ticketFor(clipBytes.length);
    assert.equal(ticket.video.status, 'UPLOADING');
    assert.equal(ticket.uploadUrl, `${stack.url}/uploads/${ticket.video.id}`);
    assert.ok(new Date(ticket.expiresAt).getTime() > Date.now());
    const statusOf = async () =>
      (await gql<{ video: { status: string } }>(stack.url, 'query($id:ID!){ video(id:$id){ status } }', { id: ticket.video.id }, token)).data?.video.status;
    assert.equal(await statusOf(), 'UPLOADING'); // now in the metadata cache
    await tusUpload(ticket.uploadUrl, token, clip);
    assert.equal(await statusOf(), 'QUEUED', 'finishing the upload invalidates the cached row');
    const [row] = (await stack.api.infra.ds.query(
      'SELECT status, size_bytes, source_sha256, width, height, duration_seconds, source_video_codec FROM videos WHERE id = ?',
      [ticket.video.id],
    )) as Record<string, unknown>[];
    assert.equal(row.status, 'QUEUED');
    assert.equal(Number(row.size_bytes), clipBytes.length);
    assert.equal(row.source_sha256, createHash('sha256').update(clipBytes).digest('hex'));
    assert.deepEqual([row.width, row.height, row.source_video_codec], [640, 360, 'h264']);
    assert.deepEqual(await transcodeJobs(stack, ticket.video.id), [jobIdFor('video.transcode', ticket.video.id)]);

    // The same finished upload again: the client sees it complete; no second video or job.
    await tusUpload(ticket.uploadUrl, token, clip);
    const retry = await tusRequest(ticket.uploadUrl, 'PATCH', {
      authorization: `Bearer ${token}`,
      'upload-offset': String(clipBytes.length),
      'content-type': 'application/offset+octet-stream',
    });
    assert.equal(retry.status, 204);
    assert.equal(retry.headers.get('upload-offset'), String(clipBytes.length));
    const count = (await stack.api.infra.ds.query('SELECT COUNT(*) AS n FROM videos WHERE title = ?', ['Resumable'])) as { n: string }[];
    assert.equal(Number(count[0].n), 1);
    assert.equal((await transcodeJobs(stack, ticket.video.id)).length, 1);
  });

  it('resumes an interrupted upload from its offset, through another API process', async () => {
    const ticket = await ticketFor(clipBytes.length, token, 'Interrupted');
    await patchAndCut(ticket.uploadUrl, token, clipBytes, 400_000);
    const offset = await headOffset(ticket.uploadUrl, token);
    assert.ok(offset > 0 && offset <= 400_000, `offset after the cut: ${offset}`);
    await assertNoOrphans(stack, { uploading: [ticket.video.id] });

    // A fresh process (nothing in memory) picks the upload up where storage left it.
    // A second API process on its own port, sharing the database, Redis and bucket.
    const other = await startApi({ ...stack.config, port: 0 }, createLogger(stack.config, 'api'));
    try {
      const url = `${other.url}/uploads/${ticket.video.id}`;
      assert.equal(await headOffset(url, token), offset);
      let firstProgress = -1;
      await tusUpload(url, token, clip, { onProgress: (sent) => (firstProgress = firstProgress < 0 ? sent : firstProgress) });
    } finally {
      await other.close();
    }
    const [row] = (await stack.api.infra.ds.query('SELECT status, source_sha256 FROM videos WHERE id = ?', [ticket.video.id])) as Record<string, unknown>[];
    assert.equal(row.status, 'QUEUED');
    assert.equal(row.source_sha256, createHash('sha256').update(clipBytes).digest('hex'), 'resumed bytes join up exactly');
  });

  it('publishes UPLOAD progress over pub/sub, ending at 100%', async () => {
    const ticket = await ticketFor(clipBytes.length, token, 'Watched');
    const client = wsClient(stack.url, token);
    type Ev = { videoProgress: { status: string; phase: string; percent: number; bytesReceived: number | null; bytesTotal: number | null } };
    const sub = collect<Ev>(
      client,
      'subscription($id: ID!){ videoProgress(videoId: $id){ status phase percent bytesReceived bytesTotal } }',
      { id: ticket.video.id },
      (e) => e.videoProgress.status !== 'UPLOADING',
    );
    await sub.ready;
    await tusUpload(ticket.uploadUrl, token, clip, { chunkSize: 128 * 1024 });
    const events = await sub.done;
    await client.dispose();
    assert.ok(events.length >= 2, `${events.length} events`);
    assert.ok(events.slice(0, -1).every((e) => e.videoProgress.phase === 'UPLOAD' && e.videoProgress.bytesTotal === clipBytes.length));
    const percents = events.map((e) => e.videoProgress.percent);
    assert.deepEqual([...percents].sort((a, b) => a - b), percents, 'percent never goes back');
    // The upload is the first fifth of the whole job's percent.
    assert.deepEqual(events.at(-1)!.videoProgress, { status: 'QUEUED', phase: 'QUEUED', percent: 20, bytesReceived: clipBytes.length, bytesTotal: clipBytes.length });
    // Hashed on the way in across several PATCHes: the same digest as the file's.
    const [row] = (await stack.api.infra.ds.query('SELECT source_sha256 FROM videos WHERE id = ?', [ticket.video.id])) as Record<string, unknown>[];
    assert.equal(row.source_sha256, createHash('sha256').update(clipBytes).digest('hex'));
  });

  it('answers 409 to a PATCH at the wrong offset and 404 to another user, 401 without a token', async () => {
    const ticket = await ticketFor(clipBytes.length, token, 'Guarded');
    const part = clipBytes.subarray(0, 1000);
    const wrong = await tusRequest(ticket.uploadUrl, 'PATCH', { authorization: `Bearer ${token}`, 'upload-offset': '5', 'content-type': 'application/offset+octet-stream' }, part);
    assert.equal(wrong.status, 409);
    const stranger = await signUp(stack.url);
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const r = await tusRequest(ticket.uploadUrl, method, { authorization: `Bearer ${stranger.token}`, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, method === 'PATCH' ? part : undefined);
      assert.equal(r.status, 404, method);
      const anon = await tusRequest(ticket.uploadUrl, method, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, method === 'PATCH' ? part : undefined);
      assert.equal(anon.status, 401, method);
    }
    assert.equal(await headOffset(ticket.uploadUrl, token), 0);
    assert.equal((await tusRequest(ticket.uploadUrl, 'GET', { authorization: `Bearer ${token}` })).status, 405, 'raw bytes are not served');
    const post = await tusRequest(`${stack.url}/uploads`, 'POST', { authorization: `Bearer ${token}`, 'upload-length': '10' });
    assert.equal(post.status, 403);
    // Termination: the row and every byte go.
    const del = await tusRequest(ticket.uploadUrl, 'DELETE', { authorization: `Bearer ${token}` });
    assert.equal(del.status, 204);
    await eventuallyNoOrphans(stack);
    assert.deepEqual(await stack.api.infra.ds.query('SELECT id FROM videos WHERE id = ?', [ticket.video.id]), []);
    assert.equal((await tusRequest(ticket.uploadUrl, 'HEAD', { authorization: `Bearer ${token}` })).status, 404);
  });

  it('terminates a half-sent upload, aborting its stored parts', async () => {
    const ticket = await ticketFor(clipBytes.length, token, 'Half');
    await patchAndCut(ticket.uploadUrl, token, clipBytes, 300_000);
    const del = await tusRequest(ticket.uploadUrl, 'DELETE', { authorization: `Bearer ${token}` });
    assert.equal(del.status, 204);
    await eventuallyNoOrphans(stack);
  });

  it('deleteVideo of a half-sent upload removes its stored parts too', async () => {
    const ticket = await ticketFor(clipBytes.length, token, 'Deleted mid-upload');
    await patchAndCut(ticket.uploadUrl, token, clipBytes, 300_000);
    assert.ok((await headOffset(ticket.uploadUrl, token)) > 0, 'bytes were stored');
    const del = await gql<{ deleteVideo: boolean }>(stack.url, 'mutation($id:ID!){ deleteVideo(id:$id) }', { id: ticket.video.id }, token);
    assert.equal(del.data?.deleteVideo, true, JSON.stringify(del.errors));
    await eventuallyNoOrphans(stack);
    assert.equal((await tusRequest(ticket.uploadUrl, 'HEAD', { authorization: `Bearer ${token}` })).status, 404);
  });

  it('refuses sizes over the limit at creation, and bytes beyond Upload-Length', async () => {
    const big = await createUpload(stack.url, token, { title: 'Big', sizeBytes: LIMIT + 1 });
    assert.equal(errorCode(big), 'PAYLOAD_TOO_LARGE');
    for (const sizeBytes of [0, -5, 1.5]) {
      assert.equal(errorCode(await createUpload(stack.url, token, { title: 'Odd', sizeBytes })), 'BAD_USER_INPUT', String(sizeBytes));
    }
    const anon = await createUpload(stack.url, undefined, { title: 'Anon', sizeBytes: 10 });
    assert.equal(errorCode(anon), 'UNAUTHENTICATED');

    const ticket = await ticketFor(1000, token, 'Overflow');
    const over = await tusRequest(ticket.uploadUrl, 'PATCH', { authorization: `Bearer ${token}`, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(5000, 1));
    assert.equal(over.status, 413);
    assert.ok((await headOffset(ticket.uploadUrl, token)) <= 1000);
    assert.equal((await tusRequest(ticket.uploadUrl, 'DELETE', { authorization: `Bearer ${token}` })).status, 204);
    await eventuallyNoOrphans(stack);
  });

  it('leaves a non-video FAILED with the reason and no bytes; the URL is then gone', async () => {
    const text = Buffer.from('definitely not a video\n'.repeat(500));
    const ticket = await ticketFor(text.length, token, 'Text');
    await assert.rejects(tusUpload(ticket.uploadUrl, token, text), /415/);
    const [row] = (await stack.api.infra.ds.query('SELECT status, failure_reason FROM videos WHERE id = ?', [ticket.video.id])) as Record<string, string>[];
    assert.equal(row.status, 'FAILED');
    assert.match(row.failure_reason, /Not a playable video/);
    assert.equal((await tusRequest(ticket.uploadUrl, 'HEAD', { authorization: `Bearer ${token}` })).status, 410);
    assert.deepEqual(await transcodeJobs(stack, ticket.video.id), []);
  });
});
