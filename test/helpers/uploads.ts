import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import { JobQueue } from '../../src/jobs/job-queue';
import type { TestStack } from './env';
import { gql, type GqlResult } from './graphql';

export const UPLOAD_MUTATION =
  'mutation($file: Upload!, $input: VideoInput!){ uploadVideo(file: $file, input: $input){ id status title sizeBytes durationSeconds width height } }';

export interface UploadedVideo {
  id: string;
  status: string;
  title: string;
  sizeBytes: number | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
}

export interface MultipartFile {
  field: string;
  filename: string;
  body: Readable | Buffer;
  contentType?: string;
}

/** Plain names as `filename="…"`; anything else as RFC 5987 `filename*=UTF-8''…` (what browsers do). */
function filenameParam(name: string): string {
  return /^[\x20-\x7e]*$/.test(name) ? `filename="${name.replace(/"/g, '%22')}"` : `filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A GraphQL multipart request (spec: operations, map, files), streamed, as a browser would send it. */
export function multipartBody(boundary: string, operations: unknown, map: unknown, files: MultipartFile[]): Readable {
  async function* parts(): AsyncGenerator<Buffer> {
    const field = (name: string, value: string) =>
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    yield field('operations', JSON.stringify(operations));
    yield field('map', JSON.stringify(map));
    for (const f of files) {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; ${filenameParam(f.filename)}\r\n` +
          `Content-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      );
      if (Buffer.isBuffer(f.body)) yield f.body;
      else for await (const chunk of f.body as AsyncIterable<Buffer>) yield chunk;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return Readable.from(parts());
}

/** `uploadVideo` with one file from disk (or any stream). */
export async function uploadFile(
  url: string,
  token: string | undefined,
  file: string | { filename: string; body: Readable | Buffer },
  input: Record<string, unknown> = { title: 'Clip' },
  opts: { map?: unknown; omitFile?: boolean; preflight?: boolean } = {},
): Promise<GqlResult<{ uploadVideo: UploadedVideo }>> {
  return multipartMutation(url, token, UPLOAD_MUTATION, { input }, file, opts);
}

/** Any mutation whose `$file: Upload!` variable is sent as a multipart file part (GraphQL multipart request spec). */
export async function multipartMutation<T = Record<string, unknown>>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
  file: string | { filename: string; body: Readable | Buffer; contentType?: string },
  opts: { map?: unknown; omitFile?: boolean; preflight?: boolean } = {},
): Promise<GqlResult<T>> {
  const f = typeof file === 'string' ? { filename: file.split('/').pop() ?? 'file', body: createReadStream(file) } : file;
  const boundary = `----vp${Math.random().toString(16).slice(2)}`;
  const body = multipartBody(
    boundary,
    { query, variables: { ...variables, file: null } },
    opts.map ?? { 0: ['variables.file'] },
    opts.omitFile ? [] : [{ field: '0', filename: f.filename, body: f.body, contentType: 'contentType' in f ? f.contentType : undefined }],
  );
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(opts.preflight === false ? {} : { 'apollo-require-preflight': 'true' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: Readable.toWeb(body) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  try {
    return { status: res.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: res.status, errors: [{ message: text.slice(0, 200) }] };
  }
}

/** Sends the start of a multipart upload, then drops the connection (a client going away). */
export async function uploadAndDisconnect(url: string, token: string, bytesBeforeDrop: number, input: Record<string, unknown>): Promise<void> {
  const boundary = '----vpdrop';
  const req = http.request(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'apollo-require-preflight': 'true',
      authorization: `Bearer ${token}`,
      'content-length': String(bytesBeforeDrop * 4),
    },
  });
  req.on('error', () => undefined);
  const head = multipartBody(boundary, { query: UPLOAD_MUTATION, variables: { file: null, input } }, { 0: ['variables.file'] }, []);
  for await (const chunk of head as AsyncIterable<Buffer>) {
    // Everything but the closing boundary: the file part follows.
    const s = chunk.toString();
    if (!s.startsWith(`--${boundary}--`)) req.write(chunk);
  }
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
  const block = Buffer.alloc(64 * 1024, 7);
  for (let sent = 0; sent < bytesBeforeDrop; sent += block.length) {
    if (!req.write(block)) await new Promise((r) => req.once('drain', r));
  }
  await new Promise((r) => setTimeout(r, 300));
  req.destroy();
}

export interface Ticket {
  video: { id: string; status: string };
  uploadUrl: string;
  expiresAt: string;
}

export async function createUpload(url: string, token: string | undefined, input: Record<string, unknown>): Promise<GqlResult<{ createUpload: Ticket }>> {
  return gql(url, 'mutation($input: CreateUploadInput!){ createUpload(input: $input){ video{ id status } uploadUrl expiresAt } }', { input }, token);
}

/** Runs tus-js-client (the real client) against an upload URL; resolves on success. */
export function tusUpload(
  uploadUrl: string,
  token: string,
  file: string | Buffer,
  opts: { chunkSize?: number; onProgress?: (sent: number, total: number) => void; onStart?: (u: tus.Upload) => void } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    void (async () => {
      const input = typeof file === 'string' ? createReadStream(file) : file;
      const size = typeof file === 'string' ? (await stat(file)).size : file.length;
      const upload = new tus.Upload(input, {
        uploadUrl,
        uploadSize: size,
        headers: { authorization: `Bearer ${token}` },
        chunkSize: opts.chunkSize ?? Infinity,
        retryDelays: [],
        onProgress: opts.onProgress,
        onError: reject,
        onSuccess: () => resolve(),
      });
      opts.onStart?.(upload);
      upload.start();
    })().catch(reject);
  });
}

/** Raw tus request (for the protocol edge cases a well-behaved client never sends). */
export async function tusRequest(uploadUrl: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
  return fetch(uploadUrl, { method, headers: { 'tus-resumable': '1.0.0', ...headers }, body });
}

/** Transcode jobs in the stack's queue for one video (any state). */
export async function transcodeJobs(stack: TestStack, videoId: string): Promise<string[]> {
  const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
  try {
    const all = await jobs.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'paused', 'waiting-children']);
    return all.filter((j) => j.name === 'video.transcode' && (j.data as { videoId?: string }).videoId === videoId).map((j) => String(j.id));
  } finally {
    await jobs.close();
  }
}
