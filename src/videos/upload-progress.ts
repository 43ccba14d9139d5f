import type { ProgressPublisher, UploadKeyPublisher } from '../events/event-bus';
import { VideoStatus } from '../domain/video-status';
import { jobPercent } from '../events/progress-model';
import { ProgressThrottle, uploadPercent } from './upload-meter';

/** At most this many UPLOAD events per second per video reach pub/sub. */
const EVENTS_PER_SECOND = 10;
/** Abandoned uploads never say goodbye; forget the oldest throttles beyond this many. */
const MAX_TRACKED = 10_000;

/** A multipart upload sent with an `uploadKey`: its bytes also go to `uploadProgress(uploadKey)` of its owner. */
export interface UploadKeyRef {
  ownerId: string;
  uploadKey: string;
}

/**
 * Publishes the bytes of the UPLOAD phase of `videoProgress`, throttled per video; the final event
 * always goes out. The moves that end the phase (QUEUED, FAILED) are announced by the video lifecycle.
 * Uploads with a key also report to their key, and there the hand-over ends the stream.
 */
export class UploadProgress {
  private readonly throttles = new Map<string, ProgressThrottle>();

  constructor(private readonly events: ProgressPublisher & Partial<UploadKeyPublisher>) {}

  bytes(videoId: string, received: number, total: number | null, key?: UploadKeyRef): void {
    let throttle = this.throttles.get(videoId);
    if (!throttle) {
      throttle = new ProgressThrottle(1000 / EVENTS_PER_SECOND);
      this.throttles.set(videoId, throttle);
      if (this.throttles.size > MAX_TRACKED) this.throttles.delete(this.throttles.keys().next().value as string);
    }
    if (!throttle.take()) return;
    // 100% is only announced once the last byte is stored (see `received`).
    const phasePercent = Math.min(uploadPercent(received, total), 99.9);
    void this.events.publish({ videoId, status: VideoStatus.UPLOADING, phase: 'UPLOAD', percent: jobPercent('UPLOAD', phasePercent), phasePercent, bytesReceived: received, bytesTotal: total });
    if (key) this.keyed(key, { videoId, status: VideoStatus.UPLOADING, bytesReceived: received, bytesTotal: total, percent: phasePercent });
  }

  /** Every byte is in storage; validation follows. */
  received(videoId: string, size: number, key?: UploadKeyRef): void {
    this.throttles.delete(videoId);
    void this.events.publish({ videoId, status: VideoStatus.UPLOADING, phase: 'UPLOAD', percent: jobPercent('UPLOAD', 100), phasePercent: 100, bytesReceived: size, bytesTotal: size });
    if (key) this.keyed(key, { videoId, status: VideoStatus.UPLOADING, bytesReceived: size, bytesTotal: size, percent: 100 });
  }

  /** The keyed upload's end: QUEUED with its video (follow it on videoProgress from here), or FAILED and why. */
  handOver(key: UploadKeyRef | undefined, end: { videoId: string | null; status: VideoStatus; bytes: number; message?: string | null }): void {
    if (!key) return;
    this.keyed(key, { videoId: end.videoId, status: end.status, bytesReceived: end.bytes, bytesTotal: end.bytes, percent: end.status === VideoStatus.FAILED ? 0 : 100, message: end.message ?? null });
  }

  /** The upload ended without its bytes (refused, cancelled, expired). */
  forget(videoId: string): void {
    this.throttles.delete(videoId);
  }

  private keyed(key: UploadKeyRef, e: { videoId: string | null; status: VideoStatus; bytesReceived: number; bytesTotal: number | null; percent: number; message?: string | null }): void {
    this.events.publishUpload?.(key.ownerId, { uploadKey: key.uploadKey, ...e });
  }
}
