import { createHash, randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-minimal';
import type { VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { AppError, badInput, isOutage, notFound, serviceUnavailable } from '../errors';
import { sourceKey, sourceKeyOf } from '../storage/keys';
import { StorageWriteError, type ObjectStorage } from '../storage/storage';
import { uploadIdOfVideo, type ResumableStore } from '../storage/tus-store';
import type { UploadFinalizer } from './upload-finalizer';
import { tooLarge, UploadMeter } from './upload-meter';
import type { UploadKeyRef, UploadProgress } from './upload-progress';
import type { UploadRateLimit } from './upload-rate-limit';
import { checkDeclaredSize, sanitizeFilename } from './upload-rules';
import { normaliseText } from './video-details';
import type { VideoLifecycle } from './video-lifecycle';
import { VideoStatus, type Visibility } from '../domain/video-status';

export interface VideoFields {
  title: string;
  description?: string | null;
  visibility: Visibility;
}

export interface TicketFields extends VideoFields {
  filename?: string | null;
  sizeBytes: number;
}

export interface Ticket {
  video: VideoEntity;
  uploadUrl: string;
  expiresAt: Date;
}

/** What a tus request on an existing upload amounts to, decided before the tus server sees it. */
export type ResumableDecision =
  /** Bytes still to come (or a HEAD): the tus server handles the request, on this upload id. */
  | { action: 'pass'; uploadId: string }
  /** Every byte is stored and validated: answer the final PATCH with this offset, without the tus server. */
  | { action: 'finished'; offset: number }
  /** A finished upload cannot be deleted over tus, and a final PATCH must name the final offset. */
  | { action: 'refuse'; reason: 'finished' | 'offset-mismatch' };

/** A retried multipart request (same owner, title and bytes) within this window returns the first video. */
const RETRY_WINDOW_MS = 24 * 3600 * 1000;

/** The rules of getting a video in: who may, how much, and what happens on every kind of failure. */
export class UploadService {
  constructor(
    private readonly deps: {
      maxUploadBytes: number;
      expirySeconds: number;
      publicUrl: string;
      videos: Pick<VideoRepository, 'findById' | 'findExpiredUploads' | 'findRecentBySha256'>;
      lifecycle: Pick<VideoLifecycle, 'create'>;
      storage: ObjectStorage;
      resumable: Pick<ResumableStore, 'open' | 'offset' | 'takeSha256'>;
      rateLimit: Pick<UploadRateLimit, 'consume' | 'refund'>;
      progress: Pick<UploadProgress, 'bytes' | 'received' | 'handOver'>;
      finalizer: Pick<UploadFinalizer, 'complete' | 'ensureQueued' | 'discard' | 'requeueQueued'>;
    },
  ) {}

  /**
   * `uploadVideo`: the multipart file part streams through a meter straight into storage. With an
   * `uploadKey` (canonical), the bytes and the hand-over also go to its owner's `uploadProgress`.
   */
  async uploadMultipart(
    userId: string,
    fields: VideoFields & { sizeBytes?: number | null; uploadKey?: string | null },
    file: Promise<FileUpload>,
  ): Promise<VideoEntity> {
    const { progress } = this.deps;
    const key = fields.uploadKey ? { ownerId: userId, uploadKey: fields.uploadKey } : undefined;
    try {
      const video = await this.receiveMultipart(userId, fields, file, key);
      progress.handOver(key, { videoId: video.id, status: video.status, bytes: video.sizeBytes ?? 0 });
      return video;
    } catch (err) {
      progress.handOver(key, { videoId: null, status: VideoStatus.FAILED, bytes: 0, message: err instanceof AppError ? err.message : 'Upload failed' });
      throw err;
    }
  }

  private async receiveMultipart(
    userId: string,
    fields: VideoFields & { sizeBytes?: number | null },
    file: Promise<FileUpload>,
    key: UploadKeyRef | undefined,
  ): Promise<VideoEntity> {
    const { maxUploadBytes: max, storage, videos, rateLimit, finalizer, progress } = this.deps;
    const text = normaliseText(fields.title, fields.description);
    if (fields.sizeBytes != null) checkDeclaredSize(fields.sizeBytes, max);
    await rateLimit.consume(userId);
    let upload: FileUpload;
    let source: Readable;
    try {
      upload = await file;
      source = upload.createReadStream();
    } catch (err) {
      await rateLimit.refund(userId);
      // Anything going wrong before the file part arrives is a malformed request.
      throw err instanceof AppError ? err : badInput(`The file part is missing or malformed: ${(err as Error).message}`);
    }
    const video = await this.insertRow(userId, text, fields.visibility, sanitizeFilename(upload.filename), fields.sizeBytes ?? null);
    const { id } = video;
    let sourceFailed = false;
    try {
      source.once('error', () => (sourceFailed = true));
      // busboy stops at its own byte limit by truncating quietly; make that an error here.
      source.once('limit', () => source.destroy(tooLarge(max)));
      const meter = new UploadMeter(max, (n) => progress.bytes(id, n, fields.sizeBytes ?? null, key));
      const body = pipeline(source, meter, () => undefined);
      await storage.put(sourceKeyOf(video), body, { contentType: 'application/octet-stream' });
      if ((source as Readable & { truncated?: boolean }).truncated) throw tooLarge(max);
      if (meter.bytes === 0) throw badInput('The file is empty');
      const sha256 = meter.digest();
      const earlier = await videos.findRecentBySha256(userId, sha256, text.title, new Date(Date.now() - RETRY_WINDOW_MS));
      if (earlier) {
        await finalizer.discard(id, 'Same upload as an earlier one', false);
        await rateLimit.refund(userId);
        return earlier;
      }
      return await finalizer.complete(video, { sizeBytes: meter.bytes, sha256 });
    } catch (err) {
      // Storage failing (S3 cut) also ends the body (the put stops reading it), so the storage
      // side is asked first: it failed if the put says so. Otherwise the request body broke
      // (client gone, malformed part): the client's fault.
      const appErr =
        err instanceof StorageWriteError
          ? storageUnavailable()
          : sourceFailed && !(err instanceof AppError)
            ? badInput('The upload was interrupted or malformed')
            : !(err instanceof AppError) && isOutage(err)
              ? serviceUnavailable()
              : toUploadError(err, max);
      await finalizer.discard(id, appErr instanceof AppError ? appErr.message : 'Upload failed', false);
      throw appErr;
    }
  }

  /** `createUpload`: a video row in UPLOADING plus an open tus upload of the declared size. */
  async createTicket(userId: string, fields: TicketFields): Promise<Ticket> {
    const { maxUploadBytes, resumable, rateLimit, finalizer } = this.deps;
    const text = normaliseText(fields.title, fields.description);
    checkDeclaredSize(fields.sizeBytes, maxUploadBytes);
    await rateLimit.consume(userId);
    const filename = sanitizeFilename(fields.filename);
    const video = await this.insertRow(userId, text, fields.visibility, filename, fields.sizeBytes);
    const { id } = video;
    const expiresAt = video.uploadExpiresAt!; // insertRow always sets it
    try {
      await resumable.open(id, fields.sizeBytes, filename ? { filename } : {});
    } catch (err) {
      await finalizer.discard(id, 'Could not open the upload', false);
      await rateLimit.refund(userId);
      throw err;
    }
    return { video, uploadUrl: `${this.deps.publicUrl}/uploads/${id}`, expiresAt };
  }

  /**
   * Gate for every tus request on `videoId` (canonical): the upload must be the caller's own.
   * Unfinished uploads take any tus method; finished ones only answer HEAD and idempotent retries
   * of the final PATCH. A final PATCH whose bytes are all stored but never validated (the server
   * stopped in between) is validated now.
   */
  async decideResumable(userId: string, videoId: string, method: string, uploadOffset: number | null): Promise<ResumableDecision> {
    const video = await this.deps.videos.findById(videoId);
    if (!video || video.ownerId !== userId) throw notFound('Upload');
    if (video.status === VideoStatus.FAILED) throw new AppError('NOT_FOUND', video.failureReason ?? 'Upload failed', { gone: true });
    const size = video.sizeBytes;
    if (video.status === VideoStatus.UPLOADING) {
      if (video.uploadExpiresAt && video.uploadExpiresAt < new Date()) throw new AppError('NOT_FOUND', 'The upload expired', { gone: true });
      const complete = method === 'PATCH' && size !== null && uploadOffset === size && (await this.deps.resumable.offset(video)) === size;
      if (!complete) return { action: 'pass', uploadId: uploadIdOfVideo(video) };
      await this.finishResumable(videoId);
      return { action: 'finished', offset: size };
    }
    // Finished: the store's upload is closed, so retries of the final PATCH are answered here.
    if (method === 'DELETE') return { action: 'refuse', reason: 'finished' };
    if (method !== 'PATCH') return { action: 'pass', uploadId: uploadIdOfVideo(video) };
    if (uploadOffset !== (size ?? 0)) return { action: 'refuse', reason: 'offset-mismatch' };
    await this.finishResumable(videoId);
    return { action: 'finished', offset: size ?? 0 };
  }

  /** tus received bytes (throttled upstream and here). */
  receiveResumable(videoId: string, offset: number, size: number | undefined): void {
    this.deps.progress.bytes(videoId, offset, size ?? null);
  }

  /** tus has the last byte: validate and queue, or leave the video FAILED with the reason. */
  async finishResumable(videoId: string): Promise<VideoEntity> {
    const { videos, storage, finalizer } = this.deps;
    const video = await videos.findById(videoId);
    if (!video) throw notFound();
    if (video.status !== VideoStatus.UPLOADING) return finalizer.ensureQueued(videoId);
    try {
      const key = sourceKeyOf(video);
      const stat = await storage.stat(key);
      if (!stat || stat.size === 0) throw badInput('The file is empty');
      const sha256 = this.deps.resumable.takeSha256(videoId, stat.size) ?? (await sha256Of(await storage.get(key)));
      return await finalizer.complete(video, { sizeBytes: stat.size, sha256 });
    } catch (err) {
      // Every byte is stored: an outage (storage or database away) keeps them, and the client's
      // retried final PATCH finishes the upload later (or it expires like any unfinished one).
      if (err instanceof AppError ? err.code === 'SERVICE_UNAVAILABLE' : isOutage(err)) {
        throw err instanceof AppError ? err : serviceUnavailable();
      }
      const appErr = toUploadError(err, this.deps.maxUploadBytes);
      await finalizer.discard(videoId, appErr instanceof AppError ? appErr.message : 'Upload failed', true);
      throw appErr;
    }
  }

  /** The client terminated its tus upload (DELETE): nothing of it stays. */
  async cancelResumable(videoId: string): Promise<void> {
    await this.deps.finalizer.discard(videoId, 'The upload was cancelled', false);
  }

  /** Scheduled: unfinished uploads past their expiry lose their bytes and end FAILED. */
  async expireUploads(now = new Date()): Promise<number> {
    let count = 0;
    for (;;) {
      const rows = await this.deps.videos.findExpiredUploads(now, 100);
      for (const row of rows) await this.deps.finalizer.discard(row.id, 'The upload expired before it finished', true);
      count += rows.length;
      if (rows.length < 100) return count;
    }
  }

  /** Scheduled: QUEUED videos whose job could not be enqueued get it now (a no-op for the others). */
  requeueQueued(): Promise<number> {
    return this.deps.finalizer.requeueQueued();
  }

  /** The row both paths start from: UPLOADING, keyed by a fresh id, never by the client's name. */
  private insertRow(userId: string, text: ReturnType<typeof normaliseText>, visibility: Visibility, filename: string | null, sizeBytes: number | null): Promise<VideoEntity> {
    const id = randomUUID();
    return this.deps.lifecycle.create({
      id,
      ownerId: userId,
      ...text,
      visibility,
      sourceKey: sourceKey(id),
      sourceFilename: filename,
      sizeBytes,
      uploadExpiresAt: this.expiry(),
    });
  }

  private expiry(): Date {
    return new Date(Date.now() + this.deps.expirySeconds * 1000);
  }
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** The storage server failed while the upload was fine: a retryable server-side error. */
const storageUnavailable = (): AppError => serviceUnavailable('Storage is unavailable for a moment; nothing was kept, retry the upload shortly');

/** Maps stream and parser failures to contract errors; unknown errors pass through (masked later). */
export function toUploadError(err: unknown, maxBytes: number): Error {
  if (err instanceof AppError) return err;
  if (err instanceof StorageWriteError) return storageUnavailable();
  const status = (err as { status?: unknown }).status;
  const code = (err as { code?: unknown }).code;
  if (status === 413) return tooLarge(maxBytes);
  if (status === 400 || status === 499 || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || (err as Error).message === 'aborted') {
    const message = status === 400 ? (err as Error).message : 'The upload was interrupted before the file was complete';
    return badInput(message);
  }
  return err instanceof Error ? err : new Error(String(err));
}
