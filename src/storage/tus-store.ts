import { createHash, type Hash } from 'node:crypto';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Upload, type DataStore } from '@tus/server';
import type { StorageConfig } from '../config/config';
import { parseVideoId } from '../domain/video-id';
import { STORAGE_UNAVAILABLE_MESSAGE, tusUnavailable } from '../errors';
import { BufferedS3Store } from './tus-s3-store';
import { legacySourceKey, sourceKey, sourceKeyOf, videoIdOfSourceKey } from './keys';

// Parts are held in memory (BufferedS3Store): at most (2 uploading + 1 filling) × 8 MiB per PATCH,
// the shape of S3Storage.put, whose 8 MiB parts keep up with a direct putObject in the upload bench.
const PART_SIZE = 8 * 1024 * 1024;

/** tus errors are `{ status_code, body }`; 503 SERVICE_UNAVAILABLE, which tus clients retry. */
const STORAGE_UNAVAILABLE = tusUnavailable(STORAGE_UNAVAILABLE_MESSAGE);

/**
 * The tus side of object storage. A resumable upload's id is the video's source key, so the
 * bytes land where every other part of the platform expects the original (`sources/<id>/original`)
 * and the store's bookkeeping (`original.info`, `original.part`, `original.json`) lives beside it,
 * under the video's source prefix: deleting the video deletes it too. An upload opened before that
 * layout keeps its id (`videos/<id>/source`, the key its row recorded) until it ends.
 */
export class ResumableStore {
  /** Running sha256 of uploads whose bytes all came through this process, in order; by video id (either layout of upload id). */
  private readonly hashes = new Map<string, { hash: Hash; offset: number }>();

  constructor(
    readonly datastore: DataStore,
    /** Throws when the storage server is unreachable (ObjectStorage.ping). */
    private readonly ping: () => Promise<void> = async () => undefined,
  ) {
    const write = datastore.write.bind(datastore);
    datastore.write = (stream: Readable, id: string, offset: number) => this.checkedWrite(() => this.hashedWrite(write, stream, id, offset));
    const getUpload = datastore.getUpload.bind(datastore);
    datastore.getUpload = (id: string) => this.checkedGetUpload(getUpload, id);
  }

  /**
   * The S3 store answers "not found" (404) to any failure reading an upload's bookkeeping, S3 being
   * unreachable included, and a tus client then gives the upload up. A 404 stands only when the
   * storage answers; otherwise it is a 503, which clients retry.
   */
  private async checkedGetUpload(getUpload: DataStore['getUpload'], id: string): Promise<Upload> {
    try {
      return await getUpload(id);
    } catch (err) {
      const notFound = (err as { status_code?: unknown }).status_code === 404;
      if (notFound && !(await this.ping().then(() => true, () => false))) throw STORAGE_UNAVAILABLE;
      throw err;
    }
  }

  /**
   * A PATCH whose bytes the store could not write is the storage's failure when the storage no
   * longer answers: 503 (retried by tus clients from the offset kept), not a 500.
   */
  private async checkedWrite(write: () => Promise<number>): Promise<number> {
    try {
      return await write();
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'status_code' in err) throw err;
      if (!(await this.ping().then(() => true, () => false))) throw STORAGE_UNAVAILABLE;
      throw err;
    }
  }

  /**
   * Hashes the bytes on their way into the store, so a finished upload needs no second read.
   * Any gap (a resume through another process, a restart) drops the running hash; the caller
   * then hashes the stored object instead.
   */
  private async hashedWrite(write: DataStore['write'], stream: Readable, uploadId: string, offset: number): Promise<number> {
    const id = videoIdOfSourceKey(uploadId) ?? uploadId;
    let state = this.hashes.get(id);
    if (offset === 0) state = { hash: createHash('sha256'), offset: 0 };
    if (!state || state.offset !== offset) {
      this.hashes.delete(id);
      return write(stream, uploadId, offset);
    }
    this.hashes.set(id, state);
    // Abandoned uploads never finish; forget the oldest rather than grow without bound.
    if (this.hashes.size > 10_000) this.hashes.delete(this.hashes.keys().next().value as string);
    const running = state;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        running.hash.update(chunk);
        running.offset += chunk.length;
        cb(null, chunk);
      },
    });
    stream.on('error', (err) => tap.destroy(err));
    try {
      const stored = await write(stream.pipe(tap), uploadId, offset);
      if (stored !== running.offset) this.hashes.delete(id);
      return stored;
    } catch (err) {
      // The store may keep what it got of an interrupted PATCH: the hash is good if it saw the same.
      if ((await this.offsetOf(uploadId)) !== running.offset) this.hashes.delete(id);
      throw err;
    }
  }

  /** The sha256 of a complete upload when this process saw every byte, else null. */
  takeSha256(videoId: string, size: number): string | null {
    const state = this.hashes.get(videoId);
    this.hashes.delete(videoId);
    return state && state.offset === size ? state.hash.digest('hex') : null;
  }

  private async offsetOf(id: string): Promise<number | null> {
    try {
      return (await this.datastore.getUpload(id)).offset;
    } catch {
      return null;
    }
  }

  static create(config: StorageConfig, expirySeconds: number, ping?: () => Promise<void>): ResumableStore {
    const expirationPeriodInMilliseconds = expirySeconds * 1000;
    if (config.driver === 'local') {
      // Same folder as LocalStorage, so the finished upload is an ordinary object.
      return new ResumableStore(new FileStore({ directory: path.resolve(config.dataDir, 'objects'), expirationPeriodInMilliseconds }));
    }
    return new ResumableStore(BufferedS3Store.create(config, { partSize: PART_SIZE, expirationPeriodInMilliseconds }), ping);
  }

  /** Opens the tus upload for a video so its URL takes HEAD/PATCH at once (Upload-Length fixed now). */
  async open(videoId: string, size: number, metadata: Record<string, string>): Promise<void> {
    const upload = new Upload({
      id: uploadIdOf(videoId),
      size,
      offset: 0,
      metadata,
      creation_date: new Date().toISOString(),
    });
    await this.datastore.create(upload);
  }

  /** Bytes received so far of a video's upload, or null when the store has no such upload. */
  offset(video: { id: string; sourceKey: string | null }): Promise<number | null> {
    return this.offsetOf(uploadIdOfVideo(video));
  }

  /**
   * Aborts the store's multipart upload and bookkeeping; missing uploads are fine. Both layouts'
   * ids are tried: the row (and with it the key it recorded) may already be gone.
   */
  async remove(videoId: string): Promise<void> {
    this.hashes.delete(videoId);
    for (const id of [uploadIdOf(videoId), legacySourceKey(videoId)]) await this.datastore.remove(id).catch(() => undefined);
  }
}

/** The tus id of a new upload: the key its original goes to. */
export const uploadIdOf = (videoId: string): string => sourceKey(videoId);

/** The tus id of a video's upload: the original's key its row recorded (an upload opened before `sources/` keeps the old one). */
export const uploadIdOfVideo = (video: { id: string; sourceKey: string | null }): string => sourceKeyOf(video);

/** The video id of a tus upload id (either layout), or null for ids the platform did not issue. */
export function videoIdOfUpload(uploadId: string): string | null {
  const id = videoIdOfSourceKey(uploadId);
  return id ? parseVideoId(id) : null;
}
