import type { Readable } from 'node:stream';

export interface ObjectStat {
  size: number;
  etag: string;
  lastModified: Date;
  contentType?: string;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  contentType?: string;
  /** Called as bytes are consumed, for progress reporting. */
  onProgress?: (bytes: number) => void;
}

/**
 * The one object-storage port. Keys are always derived from ids by the platform
 * (`videos/<id>/…`, `sources/<id>/…`: storage/keys.ts), never from client input.
 */
export interface ObjectStorage {
  readonly driver: 'local' | 's3';
  /**
   * Streams `body` (length unknown) into `key`; on any failure nothing is left behind. A failure
   * of the storage side (server unreachable, write refused) rejects with a StorageWriteError; a
   * failure of `body` itself rejects with the body's own error.
   */
  put(key: string, body: Readable, opts?: PutOptions): Promise<{ size: number; etag: string }>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** null when the object does not exist. */
  stat(key: string): Promise<ObjectStat | null>;
  /**
   * A URL a local tool (ffprobe, ffmpeg) or client can read the object from until it expires.
   * The local driver returns a filesystem path.
   */
  presignedGetUrl(key: string, expirySeconds: number): Promise<string>;
  list(prefix: string): Promise<string[]>;
  /** Deletes one object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object under `prefix`; returns how many went. */
  deletePrefix(prefix: string): Promise<number>;
  /** Throws when the store is unreachable (readiness). */
  ping(): Promise<void>;
  /** Multipart uploads begun under `prefix` and neither completed nor aborted (none on disk). */
  listUnfinishedUploads(prefix: string): Promise<UnfinishedUpload[]>;
  /** Aborts one of them, freeing its parts; a missing one is not an error. */
  abortUnfinishedUpload(upload: UnfinishedUpload): Promise<void>;
}

export interface UnfinishedUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

export class StorageNotFoundError extends Error {
  constructor(key: string) {
    super(`No object at ${key}`);
    this.name = 'StorageNotFoundError';
  }
}

/**
 * `put` failed on the storage side, not because of its body: the caller's request was fine, so
 * this is the platform's failure to report (SERVICE_UNAVAILABLE), never the client's.
 */
export class StorageWriteError extends Error {
  constructor(key: string, cause: unknown) {
    super(`Storage write of ${key} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageWriteError';
  }
}

export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key) || key.includes('..') || key.includes('//')) {
    throw new Error(`Unsafe storage key: ${JSON.stringify(key)}`);
  }
}
