import type { Readable } from 'node:stream';
import { S3Store, type MetadataValue, type Options } from '@tus/s3-store';
import type { Client } from 'minio';
import { chunk } from './chunker';
import { bulkClient, type S3Config } from './s3-storage';

/** Parts uploading at once per PATCH; with the one being filled, a PATCH holds at most this + 1 part buffers. */
const PARTS_IN_FLIGHT = 2;
/** Idle part buffers kept for the next parts and PATCHes (beyond them, freed buffers go to the GC). */
const IDLE_BUFFERS = PARTS_IN_FLIGHT + 1;

/**
 * @tus/s3-store with the part path of S3Storage.put: a PATCH body is cut into parts held in
 * reused buffers, at most PARTS_IN_FLIGHT uploading while the next fills, and each part goes to
 * S3 through the `UNSIGNED-PAYLOAD` client (bulkClient) as one request.
 *
 * The stock path spools every part to a temp file (an fs.appendFile per incoming chunk), reads it
 * back in 64 KiB reads for the AWS SDK's request: in a CPU profile of a tus upload that was the
 * API thread's largest item, and tus ran at ~0.5–0.7 of a direct putObject while S3Storage.put,
 * which works like this class, ran at ~0.9–1.0 (bench/RESULTS.md, upload). Memory stays bounded
 * per PATCH ((PARTS_IN_FLIGHT + 1) × part size) and flat across parts and uploads; the temp
 * files took no memory but cost the time.
 *
 * Everything else (bookkeeping in `.info`, the offset from listParts, a PATCH's short tail kept
 * as the `.part` object and prepended to the next PATCH, completion, termination, expiry) is the
 * stock store's, so uploads resume across processes and versions unchanged.
 */
export class BufferedS3Store extends S3Store {
  /** Buffers of uploaded parts, for the next parts of any upload: no allocation, page faults or GC per part. */
  private readonly free: Buffer[] = [];

  constructor(
    options: Options,
    /** A minio client for the same bucket that signs UNSIGNED-PAYLOAD (s3-storage.ts bulkClient). */
    private readonly bulk: Client,
  ) {
    super(options);
  }

  /** The store for an S3 config; `bulk` is for tests that watch the part requests. */
  static create(config: S3Config, opts: { partSize: number; expirationPeriodInMilliseconds: number }, bulk: Client = bulkClient(config)): BufferedS3Store {
    return new BufferedS3Store(
      {
        ...opts,
        useTags: false,
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
      },
      bulk,
    );
  }

  /**
   * Uploads the stream as parts from `currentPartNumber` on; a short tail that cannot be a part
   * (under S3's minimum and not the upload's end) becomes the `.part` object instead. Resolves to
   * the bytes stored; rejects after every part already started has settled, as the stock store does.
   */
  protected override async uploadParts(metadata: MetadataValue, readStream: Readable, currentPartNumber: number, offset: number): Promise<number> {
    const size = metadata.file.size;
    const partSize = this.calcOptimalPartSize(size);
    const take = () => {
      let buf = this.free.pop();
      while (buf && buf.length < partSize) buf = this.free.pop();
      return buf ?? Buffer.allocUnsafe(partSize);
    };
    const release = (buf: Buffer) => {
      if (this.free.length < IDLE_BUFFERS) this.free.push(buf);
    };
    const inFlight = new Set<Promise<void>>();
    let failure: { err: unknown } | null = null;
    let stored = 0;
    let partNumber = currentPartNumber;
    try {
      for await (const part of chunk(readStream, partSize, take)) {
        offset += part.length;
        const whole = part.length >= this.minPartSize || size === offset;
        const upload = whole ? this.sendPart(metadata, part, partNumber++) : this.sendIncompletePart(metadata.file.id, part);
        const p = upload
          .then(() => void (stored += part.length))
          .catch((err: unknown) => void (failure ??= { err }))
          .finally(() => {
            inFlight.delete(p);
            // The request is over (answered or failed): its buffer (a whole ArrayBuffer of
            // its own, parts being ≥ 5 MiB) is free.
            release(Buffer.from(part.buffer, 0, part.buffer.byteLength));
          });
        inFlight.add(p);
        while (inFlight.size >= PARTS_IN_FLIGHT && !failure) await Promise.race(inFlight);
        // Stop reading: leaving the loop destroys the stream, as the stock store's splitter does.
        if (failure) break;
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
    if (failure) throw (failure as { err: unknown }).err;
    return stored;
  }

  private async sendPart(metadata: MetadataValue, body: Buffer, partNumber: number): Promise<void> {
    await this.bulk.uploadPart({ bucketName: this.bucket, objectName: metadata.file.id, uploadID: metadata['upload-id'], partNumber, headers: {} }, body);
  }

  private async sendIncompletePart(id: string, body: Buffer): Promise<void> {
    const tag = this.useCompleteTag('false');
    await this.bulk.putObject(this.bucket, this.partKey(id, true), body, body.length, tag ? { 'x-amz-tagging': tag } : {});
  }
}
