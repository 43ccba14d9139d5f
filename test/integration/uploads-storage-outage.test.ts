import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { S3_ENV, startStack, type TestStack } from '../helpers/env';
import { eventuallyAuditClean } from '../helpers/audit';
import { signUp } from '../helpers/graphql';
import { mediaDir, waitForStatus, type MediaDir } from '../helpers/media';
import { eventuallyNoOrphans } from '../helpers/storage-orphans';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { createUpload, tusRequest, UPLOAD_MUTATION, uploadFile } from '../helpers/uploads';
import { tusHeaders } from '../helpers/slow-client';
import { VideoStatus } from '../../src/domain/video-status';
import { SOURCES_ROOT } from '../../src/storage/keys';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number | null;
  code?: string;
  data?: unknown;
  error?: string;
}

/**
 * A multipart `uploadVideo` sent by hand: the operations, then `first` MiB of the file part;
 * then `midway()` runs (the test breaks something); then `rest` more MiB and, unless
 * `endEarly`, the closing boundary. Chunked, so ending early is a body that ends, not a hang.
 */
async function brokenUpload(url: string, token: string, title: string, first: number, midway: () => Promise<void>, rest: number, endEarly = false): Promise<Answer> {
  const boundary = '----vpoutage';
  const req = http.request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
  });
  const answer = new Promise<Answer>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        const body = JSON.parse(text) as { data?: { uploadVideo: unknown } | null; errors?: { extensions?: { code?: string } }[] };
        resolve({ status: res.statusCode ?? null, code: body.errors?.[0]?.extensions?.code, data: body.data?.uploadVideo });
      });
    });
    req.on('error', (err) => resolve({ status: null, error: err.message }));
  });
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  req.write(field('operations', JSON.stringify({ query: UPLOAD_MUTATION, variables: { file: null, input: { title } } })));
  req.write(field('map', JSON.stringify({ 0: ['variables.file'] })));
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
  const block = Buffer.alloc(MiB, 7);
  const send = async (mib: number) => {
    for (let sent = 0; sent < mib && !req.destroyed; sent += 1) {
      if (!req.write(block)) await Promise.race([new Promise((r) => req.once('drain', r)), answer]);
    }
  };
  await send(first);
  await midway();
  await send(rest);
  if (!req.destroyed) req.end(endEarly ? '' : `\r\n--${boundary}--\r\n`);
  return answer;
}

describe('uploadVideo while storage goes away (S3 behind a cuttable proxy)', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let s3: TcpProxy;
  let media: MediaDir;
  let token: string;

  before(async () => {
    s3 = await startTcpProxy();
    s3.target(S3_ENV.S3_ENDPOINT);
    // A worker runs the purge job that aborts the parts an unreachable S3 kept.
    stack = await startStack({ worker: true, env: { S3_ENDPOINT: s3.url, TRANSCODE_PRESET: 'ultrafast' } });
    assert.equal(stack.config.storage.driver, 's3');
    media = await mediaDir();
    ({ token } = await signUp(stack.url));
  });
  after(async () => {
    s3.up();
    await stack.close();
    await s3.close();
    await media.cleanup();
  });

  /** Resolves once the API has begun a multipart upload on the server (asked while S3 is up): the put is under way. */
  async function multipartBegun(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if ((await stack.api.infra.storage.listUnfinishedUploads(SOURCES_ROOT)).length) return;
      assert.ok(Date.now() < deadline, 'the API never began a multipart upload');
      await sleep(100);
    }
  }

  async function rowCount(): Promise<number> {
    const [row] = (await stack.api.infra.ds.query('SELECT COUNT(*) AS n FROM videos')) as { n: string | number }[];
    return Number(row.n);
  }

  it('a body that ends early mid-put is still the client’s fault (BAD_USER_INPUT), and nothing stays', async () => {
    const answer = await brokenUpload(stack.url, token, 'Ends early', 12, multipartBegun, 4, true);
    assert.equal(answer.code, 'BAD_USER_INPUT', JSON.stringify(answer));
    assert.equal(answer.data ?? null, null);
    await eventuallyNoOrphans(stack);
    assert.equal(await rowCount(), 0);
  });

  it('S3 going away mid-upload answers SERVICE_UNAVAILABLE; once it is back nothing is left and the next upload works', async () => {
    const answer = await brokenUpload(stack.url, token, 'Cut', 12, async () => multipartBegun().then(() => s3.down()), 20);
    assert.equal(answer.code, 'SERVICE_UNAVAILABLE', JSON.stringify(answer));
    assert.equal(answer.data ?? null, null);
    // The row went at once; the parts S3 kept while unreachable wait for the purge job.
    assert.equal(await rowCount(), 0);
    s3.up();
    await eventuallyNoOrphans(stack, {}, 90_000);

    const clip = await media.clip('after.mp4', { size: '160x120', seconds: 1 });
    const r = await uploadFile(stack.url, token, clip, { title: 'After the outage' });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data!.uploadVideo.status, 'QUEUED');
    await waitForStatus(stack, r.data!.uploadVideo.id, [VideoStatus.READY]);
    await eventuallyNoOrphans(stack);
    await eventuallyAuditClean(stack.config, stack.api.infra, 60_000, 'after the S3 outage');
  });

  it('a small upload (one PUT) with S3 unreachable answers SERVICE_UNAVAILABLE too', async () => {
    const clip = await media.clip('small.mp4', { size: '160x120', seconds: 1 });
    s3.down();
    try {
      const r = await uploadFile(stack.url, token, clip, { title: 'While down' });
      assert.equal(r.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(r));
      assert.equal(typeof r.errors?.[0]?.extensions?.retryAfterSeconds, 'number');
    } finally {
      s3.up();
    }
    assert.equal(await rowCount(), 1); // the READY one of the test before
    await eventuallyNoOrphans(stack, {}, 90_000);
  });

  it('tus answers 503 SERVICE_UNAVAILABLE while S3 is unreachable, then takes the bytes', async () => {
    const clip = await media.clip('tus.mp4', { size: '160x120', seconds: 1 });
    const bytes = await readFile(clip);
    const ticket = await createUpload(stack.url, token, { title: 'tus outage', filename: 'tus.mp4', sizeBytes: bytes.length });
    assert.ok(ticket.data, JSON.stringify(ticket.errors));
    const uploadUrl = ticket.data.createUpload.uploadUrl;
    s3.down();
    let refused: Response;
    try {
      refused = await tusRequest(uploadUrl, 'PATCH', tusHeaders(token, 0), bytes);
    } finally {
      s3.up();
    }
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { code?: string }).code, 'SERVICE_UNAVAILABLE');
    const ok = await tusRequest(uploadUrl, 'PATCH', tusHeaders(token, 0), bytes);
    assert.equal(ok.status, 204, await ok.text());
    await waitForStatus(stack, ticket.data.createUpload.video.id, [VideoStatus.READY]);
    await eventuallyNoOrphans(stack);
  });
});
