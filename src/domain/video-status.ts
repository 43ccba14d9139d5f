export enum VideoStatus {
  UPLOADING = 'UPLOADING',
  QUEUED = 'QUEUED',
  PROCESSING = 'PROCESSING',
  READY = 'READY',
  FAILED = 'FAILED',
}

export enum Visibility {
  PUBLIC = 'PUBLIC',
  UNLISTED = 'UNLISTED',
  PRIVATE = 'PRIVATE',
}

/**
 * The status machine. READY may go back to PROCESSING when a video is re-encoded;
 * FAILED may be retried. Everything else moves forward only.
 */
const transitions: Record<VideoStatus, readonly VideoStatus[]> = {
  [VideoStatus.UPLOADING]: [VideoStatus.QUEUED, VideoStatus.FAILED],
  [VideoStatus.QUEUED]: [VideoStatus.PROCESSING, VideoStatus.FAILED],
  [VideoStatus.PROCESSING]: [VideoStatus.PROCESSING, VideoStatus.READY, VideoStatus.FAILED],
  [VideoStatus.READY]: [VideoStatus.PROCESSING],
  [VideoStatus.FAILED]: [VideoStatus.QUEUED],
};

export function canTransition(from: VideoStatus, to: VideoStatus): boolean {
  return transitions[from].includes(to);
}

export function allowedSources(to: VideoStatus): VideoStatus[] {
  return (Object.keys(transitions) as VideoStatus[]).filter((from) => transitions[from].includes(to));
}
