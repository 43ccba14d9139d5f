import type { VideoStatus } from '../domain/video-status';

export type ProgressPhase = 'UPLOAD' | 'PROBE' | 'TRANSCODE' | 'THUMBNAILS' | 'PUBLISH' | 'DONE';

/** What `videoProgress` subscribers receive; published by the API (uploads) and the worker. */
export interface VideoProgress {
  videoId: string;
  status: VideoStatus;
  phase: ProgressPhase;
  percent: number;
  bytesReceived?: number | null;
  bytesTotal?: number | null;
  rendition?: number | null;
  message?: string | null;
  /** True once at least one rendition plays. */
  playable?: boolean;
}
