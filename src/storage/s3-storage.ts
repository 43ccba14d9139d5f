import type { Readable } from 'node:stream';
import { Client, S3Error, type ClientOptions } from 'minio';
import type { StorageConfig } from '../config/config';
import { chunk } from './chunker';
import { assertSafeKey, StorageWriteError, type ByteRange, type ObjectStat, type ObjectStorage, type PutOptions, type UnfinishedUpload } from './storage';

const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export type S3Config = Extract<StorageConfig, { driver: 's3' }>;

function clientOptions(config: S3Config): ClientOptions {
  const { endPoint } = config;
  return {
    endPoint: endPoint.hostname,
    port: endPoint.port ? Number(endPoint.port) : undefined,
    useSSL: endPoint.protocol === 'https:',
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
    pathStyle: config.pathStyle,
  };
}

/**
 * A client for sending the bytes of uploaded objects (parts of `put`, the tus store's parts).
 * Over plain http the minio client sha256-hashes every request body to sign it; for 8 MiB parts
 * that is a second full hash of the upload on the API's one thread (the upload is already hashed
 * once on its way in), and it stalls reading the request while it runs. This client signs
 * `UNSIGNED-PAYLOAD` instead, which is what minio always does over https: the request itself
 * (method, key, part, length, headers) stays signed; the body's integrity on the wire is TCP's
 * (and TLS's in production). Every other request keeps the default.
 */
export function bulkClient(config: S3Config): Client {
  const client = new Client(clientOptions(config));
  client.enableSHA256 = false;
  return client;
}

/** S3 / MinIO / Ceph RGW through the `minio` client. */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  private readonly client: Client;
  private readonly bucket: string;

  /** Sends the bytes of uploaded objects (bulkClient). */
  private readonly bulk: Client;

  constructor(private readonly config: S3Config) {
    this.client = new Client(clientOptions(config));
    this.bulk = bulkClient(config);
    this.bucket = config.bucket;
  }

  /** Creates the bucket on first use; safe to call from several processes at once. */
  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.config.region);
    } catch (err) {
      if (!(err instanceof S3Error && /BucketAlready/.test(err.code ?? ''))) throw err;
    }
  }

  /**
   * Explicit multipart upload with bounded parts (at most PARTS_IN_FLIGHT uploading plus the one
   * being read), aborted on any failure so no orphan parts stay on the server. Every call to the
   * server is wrapped so its failures reach the caller as StorageWriteError, while the body's own
   * errors (a client gone) pass through as they are: the caller tells whose fault it was by that.
   */
  async put(key: string, body: Readable, opts: PutOptions = {}): Promise<{ size: number; etag: string }> {
    assertSafeKey(key);
    const server = <T>(call: Promise<T>): Promise<T> =>
      call.catch((err: unknown) => {
        throw new StorageWriteError(key, err);
      });
    const headers = { 'Content-Type': opts.contentType ?? 'application/octet-stream' };
    // Buffers of uploaded parts are reused for the next ones: no allocation, page faults or GC per part.
    const free: Buffer[] = [];
    const parts = chunk(body, PART_SIZE, () => free.pop() ?? Buffer.allocUnsafe(PART_SIZE));
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    opts.onProgress?.(firstPart.length);
    if (firstPart.length < PART_SIZE) {
      // The whole object fits one part: a single PUT is cheaper than a multipart round trip.
      const res = await server(this.bulk.putObject(this.bucket, key, firstPart, firstPart.length, headers));
      return { size: firstPart.length, etag: res.etag };
    }
    const uploadId = await server(this.client.initiateNewMultipartUpload(this.bucket, key, headers));
    const etags: { part: number; etag: string }[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    try {
      let size = 0;
      let partNumber = 0;
      // Parts upload while the next one is read, so the network and the source both stay busy;
      // memory stays bounded at PARTS_IN_FLIGHT + 1 parts.
      const upload = (buf: Buffer) => {
        partNumber += 1;
        const part = partNumber;
        size += buf.length;
        const p = server(this.bulk.uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, buf))
          .then((res) => void etags.push({ part, etag: res.etag }))
          .catch((err: unknown) => void (failure ??= err))
          .finally(() => {
            inFlight.delete(p);
            // The request is over (answered or failed, retries included): the buffer is free.
            if (buf.length === PART_SIZE) free.push(buf);
          });
        inFlight.add(p);
      };
      upload(firstPart);
      for await (const part of parts) {
        opts.onProgress?.(part.length);
        upload(part);
        while (inFlight.size >= PARTS_IN_FLIGHT && !failure) await Promise.race(inFlight);
        if (failure) throw failure;
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
      etags.sort((a, b) => a.part - b.part);
      const done = await server(this.client.completeMultipartUpload(this.bucket, key, uploadId, etags));
      return { size, etag: done.etag };
    } catch (err) {
      await Promise.allSettled(inFlight);
      // With the server unreachable this fails too; the caller's cleanup (deletePrefix, retried by
      // the purge job) aborts the upload once the server is back.
      await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    if (!range) return this.client.getObject(this.bucket, key);
    return this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1);
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertSafeKey(key);
    try {
      const s = await this.client.statObject(this.bucket, key);
      const contentType = s.metaData?.['content-type'] as string | undefined;
      return { size: s.size, etag: s.etag, lastModified: s.lastModified, contentType };
    } catch (err) {
      if (err instanceof S3Error && (err.code === 'NotFound' || err.code === 'NoSuchKey')) return null;
      throw err;
    }
  }

  presignedGetUrl(key: string, expirySeconds: number): Promise<string> {
    assertSafeKey(key);
    return this.client.presignedGetObject(this.bucket, key, expirySeconds);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) {
      if (item.name) keys.push(item.name);
    }
    return keys;
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    // S3 answers a delete of a missing key with success too.
    await this.client.removeObject(this.bucket, key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!prefix.endsWith('/')) throw new Error('deletePrefix takes a folder prefix ending in /');
    assertSafeKey(prefix);
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.removeObjects(this.bucket, keys.slice(i, i + 1000));
    }
    // Unfinished multipart uploads under the prefix hold storage too.
    const incomplete = this.client.listIncompleteUploads(this.bucket, prefix, true);
    for await (const upload of incomplete as AsyncIterable<{ key: string; uploadId: string }>) {
      await this.client.abortMultipartUpload(this.bucket, upload.key, upload.uploadId).catch(() => undefined);
    }
    return keys.length;
  }

  async listUnfinishedUploads(prefix: string): Promise<UnfinishedUpload[]> {
    const found: UnfinishedUpload[] = [];
    const stream = this.client.listIncompleteUploads(this.bucket, prefix, true);
    for await (const u of stream as AsyncIterable<{ key: string; uploadId: string; initiated?: Date }>) {
      found.push({ key: u.key, uploadId: u.uploadId, initiated: u.initiated ?? new Date(0) });
    }
    return found;
  }

  async abortUnfinishedUpload(upload: UnfinishedUpload): Promise<void> {
    assertSafeKey(upload.key);
    await this.client.abortMultipartUpload(this.bucket, upload.key, upload.uploadId);
  }

  async ping(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      throw new Error(`S3 bucket "${this.bucket}" does not exist: create it, or set S3_CREATE_BUCKET=true`);
    }
  }
}
