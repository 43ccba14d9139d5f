import { VideoStatus } from '../domain/video-status';
import type { ProgressSubscriber } from './event-bus';
import type { UploadKeyProgress, VideoProgress } from './progress';
import { jobPercent } from './progress-model';

/** What the database says about the video when a subscription starts. */
export interface VideoState {
  id: string;
  status: VideoStatus;
  failureReason: string | null;
  /** A playable version is published. */
  playable: boolean;
  /** The upload's declared or stored size. */
  sizeBytes: number | null;
}

const isFinal = (status: VideoStatus): boolean => status === VideoStatus.READY || status === VideoStatus.FAILED;

/**
 * The first event of a subscription: where the video stands now. The stored snapshot (the last
 * event anyone was sent) when there is one; READY and FAILED as the database has them; otherwise
 * the start of the current status (the snapshot expired, or the video predates snapshots).
 */
export function currentEvent(snapshot: VideoProgress | null, video: VideoState): VideoProgress {
  const base = { videoId: video.id, status: video.status, playable: video.playable };
  if (isFinal(video.status)) {
    if (snapshot?.status === video.status) return snapshot;
    const ready = video.status === VideoStatus.READY;
    return { ...base, phase: 'DONE', percent: 100, phasePercent: 100, etaSeconds: ready ? 0 : null, message: video.failureReason };
  }
  if (snapshot) return snapshot;
  switch (video.status) {
    case VideoStatus.UPLOADING:
      return { ...base, phase: 'UPLOAD', percent: 0, phasePercent: 0, bytesReceived: null, bytesTotal: video.sizeBytes };
    case VideoStatus.QUEUED:
      return { ...base, phase: 'QUEUED', percent: jobPercent('QUEUED', 0), phasePercent: null };
    default:
      return { ...base, phase: 'PROBE', percent: jobPercent('PROBE', 0), phasePercent: null };
  }
}

/**
 * A video's progress as a subscriber sees it: first its current state, then every later event,
 * in order and without repeats; it ends after READY or FAILED. The live stream is listening
 * (Redis acknowledged the subscription) before the snapshot is read, and the snapshot and the
 * stream share one order (`seq`), so nothing falls between the two and nothing comes twice.
 */
export function followProgress(bus: Pick<ProgressSubscriber, 'subscribe' | 'listening' | 'latest'>, video: VideoState): AsyncGenerator<VideoProgress> {
  const live = bus.subscribe(video.id)[Symbol.asyncIterator]();
  const events = progressOf(bus, video, live);
  // A generator waiting inside (for the next live event) handles `return()` only once that event
  // comes, which may be never: closing the live stream first ends the wait now, so a subscriber
  // that leaves (complete, closed socket) stops listening at once.
  const close = events.return.bind(events);
  events.return = async (value) => {
    await live.return?.();
    return close(value);
  };
  return events;
}

async function* progressOf(bus: Pick<ProgressSubscriber, 'listening' | 'latest'>, video: VideoState, live: AsyncIterator<VideoProgress>): AsyncGenerator<VideoProgress> {
  try {
    // Asking for the first live event starts listening.
    let next = live.next();
    await bus.listening(video.id);
    const first = currentEvent(await bus.latest(video.id), video);
    yield first;
    if (isFinal(first.status)) return;
    const seen = first.seq ?? 0;
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = live.next();
      const e = r.value;
      if (e.seq !== undefined && e.seq <= seen) continue;
      yield e;
      if (isFinal(e.status)) return;
    }
  } finally {
    await live.return?.();
  }
}

/** A keyed upload's bytes until its hand-over (QUEUED or FAILED), which ends the stream. */
export async function* followUpload(events: AsyncIterable<UploadKeyProgress>): AsyncGenerator<UploadKeyProgress> {
  for await (const e of events) {
    yield e;
    if (e.status !== VideoStatus.UPLOADING) return;
  }
}
