import type { VideoStatus } from '../domain/video-status';

/**
 * Where a video is on its way: the upload's bytes, waiting in the queue, the worker's stages, a
 * restart after a failed or lost attempt (RETRY), and the end (DONE, with status READY or FAILED).
 */
export type ProgressPhase = 'UPLOAD' | 'QUEUED' | 'PROBE' | 'TRANSCODE' | 'THUMBNAILS' | 'PUBLISH' | 'RETRY' | 'DONE';

export const progressPhases: readonly ProgressPhase[] = ['UPLOAD', 'QUEUED', 'PROBE', 'TRANSCODE', 'THUMBNAILS', 'PUBLISH', 'RETRY', 'DONE'];

/**
 * What `uploadProgress(uploadKey)` subscribers receive while a multipart upload streams in: its
 * bytes, then the hand-over (QUEUED with the video id, to follow on `videoProgress`) or FAILED.
 */
export interface UploadKeyProgress {
  uploadKey: string;
  videoId: string | null;
  status: VideoStatus;
  bytesReceived: number;
  /** The size the client declared (`sizeBytes`); null when it did not. */
  bytesTotal: number | null;
  /** Of `bytesTotal`; 0 while it is unknown. */
  percent: number;
  message?: string | null;
}

/** What `videoProgress` subscribers receive; published by the API (uploads) and the worker. */
export interface VideoProgress {
  videoId: string;
  status: VideoStatus;
  phase: ProgressPhase;
  /** The whole job, 0..100, never decreasing (see progress-model.ts). */
  percent: number;
  /** Within the current phase, 0..100; null when the phase has no measure of its own. */
  phasePercent?: number | null;
  /** Seconds until READY, while processing and once it can be estimated. */
  etaSeconds?: number | null;
  /** While QUEUED: transcode jobs that will start before this one. */
  queuePosition?: number | null;
  /** The processing attempt (1 for the first); set by the worker. */
  attempt?: number | null;
  /** On RETRY: the phase the new attempt starts from. */
  restartPhase?: ProgressPhase | null;
  bytesReceived?: number | null;
  bytesTotal?: number | null;
  rendition?: number | null;
  message?: string | null;
  /** True once at least one rendition plays. */
  playable?: boolean;
  /**
   * Internal, never sent: this event starts a new job for the video (a re-encode of a finished
   * one), so the stored snapshot's percent is no floor for it.
   */
  reset?: boolean;
  /**
   * Internal, never sent: an update of the stored state, applied (merged into it, and sent) only
   * while the video is in this status and when it changes something (queue positions).
   */
  ifStatus?: VideoStatus;
  /** Internal order of a video's events, given by the snapshot store; never sent. */
  seq?: number;
}
