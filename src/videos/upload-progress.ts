import type { ProgressPublisher } from '../events/event-bus';
import { VideoStatus } from '../domain/video-status';
import { jobPercent } from '../events/progress-model';
import { ProgressThrottle, uploadPercent } from './upload-meter';

/** At most this many UPLOAD events per second per video reach pub/sub. */
const EVENTS_PER_SECOND = 10;
/** Abandoned uploads never say goodbye; forget the oldest throttles beyond this many. */
const MAX_TRACKED = 10_000;

/**
 * Publishes the bytes of the UPLOAD phase of `videoProgress`, throttled per video; the final event
 * always goes out. The moves that end the phase (QUEUED, FAILED) are announced by the video lifecycle.
 */
export class UploadProgress {
  private readonly throttles = new Map<string, ProgressThrottle>();

  constructor(private readonly events: ProgressPublisher) {}

  bytes(videoId: string, received: number, total: number | null): void {
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
  }

  /** Every byte is in storage; validation follows. */
  received(videoId: string, size: number): void {
    this.throttles.delete(videoId);
    void this.events.publish({ videoId, status: VideoStatus.UPLOADING, phase: 'UPLOAD', percent: jobPercent('UPLOAD', 100), phasePercent: 100, bytesReceived: size, bytesTotal: size });
  }

  /** The upload ended without its bytes (refused, cancelled, expired). */
  forget(videoId: string): void {
    this.throttles.delete(videoId);
  }
}
