import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import { Upload, type DataStore } from '@tus/server';
import type { StorageConfig } from '../config/config';
import { sourceKey } from './keys';

const PART_SIZE = 8 * 1024 * 1024;

/**
 * The tus side of object storage. A resumable upload's id is the video's source key, so the
 * bytes land where every other part of the platform expects the original (`videos/<id>/source`)
 * and the store's bookkeeping (`source.info`, `source.part`, `source.json`) lives under the
 * video's prefix: deleting the video deletes it too.
 */
export class ResumableStore {
  constructor(readonly datastore: DataStore) {}

  static create(config: StorageConfig, expirySeconds: number): ResumableStore {
    const expirationPeriodInMilliseconds = expirySeconds * 1000;
    if (config.driver === 'local') {
      // Same folder as LocalStorage, so the finished upload is an ordinary object.
      return new ResumableStore(new FileStore({ directory: path.resolve(config.dataDir, 'objects'), expirationPeriodInMilliseconds }));
    }
    return new ResumableStore(
      new S3Store({
        partSize: PART_SIZE,
        useTags: false,
        expirationPeriodInMilliseconds,
        s3ClientConfig: {
          bucket: config.bucket,
          region: config.region,
          endpoint: config.endPoint.toString().replace(/\/$/, ''),
          forcePathStyle: config.pathStyle,
          credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secretKey },
          // S3-compatible servers (Ceph RGW, older MinIO) reject the SDK's default CRC checksums.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        },
      }),
    );
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

  /** Bytes received so far, or null when the store has no such upload. */
  async offset(videoId: string): Promise<number | null> {
    try {
      return (await this.datastore.getUpload(uploadIdOf(videoId))).offset;
    } catch {
      return null;
    }
  }

  /** Aborts the store's multipart upload and bookkeeping; missing uploads are fine. */
  async remove(videoId: string): Promise<void> {
    await this.datastore.remove(uploadIdOf(videoId)).catch(() => undefined);
  }
}

export const uploadIdOf = (videoId: string): string => sourceKey(videoId);

/** The video id of a tus upload id, or null for ids the platform did not issue. */
export function videoIdOfUpload(uploadId: string): string | null {
  const m = /^videos\/([0-9a-f-]{36})\/source$/.exec(uploadId);
  return m ? m[1] : null;
}
