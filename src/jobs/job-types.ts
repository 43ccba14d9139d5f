import type { VideoEvent } from '../domain/video-event';

/**
 * Every background job, in one typed place: its name and payload. The worker refuses to
 * start unless each name has exactly one handler (see worker/job-registry.ts).
 */
export interface JobPayloads {
  /** Probe, transcode to the ladder, poster and storyboard, then publish. */
  'video.transcode': { videoId: string };
  /** After deleteVideo: removes what a running transcode may still have written (storage, cache). */
  'video.purge': { videoId: string };
  /** Repeating: removes unfinished uploads past their expiry (see worker/upload-cleanup.handler.ts). */
  'uploads.cleanup': Record<string, never>;
  /** An MP4 of one rung of one published generation, remuxed from its segments (Video.download). */
  'video.download': { videoId: string; height: number; generation: string };
  /** One message to one webhook endpoint; retried with exponential backoff over hours (webhooks/webhook.service.ts). */
  'webhook.deliver': {
    webhookId: string;
    /** The `webhook-id` header, the same on every attempt. */
    messageId: string;
    event: VideoEvent;
    /** The JSON body, serialised once so every attempt signs the same bytes. */
    body: string;
  };
  /** Repeating: drops delivery log rows past their retention (see worker/webhook.handler.ts). */
  'webhooks.prune': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const jobNames: readonly JobName[] = ['video.transcode', 'video.purge', 'uploads.cleanup', 'video.download', 'webhook.deliver', 'webhooks.prune'];

/** The jobs about one video: at most one of each kind per video exists at a time. */
export type VideoJobName = { [N in JobName]: JobPayloads[N] extends { videoId: string } ? N : never }[JobName];

const ID_PREFIX: Record<VideoJobName, string> = { 'video.transcode': 'transcode', 'video.purge': 'purge', 'video.download': 'download' };

/**
 * The id of a video's job, computed here and nowhere else: enqueueing twice is a no-op, and delete
 * can find the job to cancel it. Ids stay `transcode-<id>`/`purge-<id>`, so jobs queued before
 * a deploy are still found. Kinds with several jobs per video add what tells them apart (`variant`).
 */
export function jobIdFor(name: VideoJobName, videoId: string, variant?: string): string {
  return `${ID_PREFIX[name]}-${videoId}${variant ? `-${variant}` : ''}`;
}

/** The id of this job: one download per rung and generation, one job of any other kind per video. */
export function jobIdOf(name: VideoJobName, payload: { videoId: string } & Partial<JobPayloads['video.download']>): string {
  return jobIdFor(name, payload.videoId, name === 'video.download' ? `${payload.generation || 'top'}-${payload.height}` : undefined);
}

export function isVideoJob(name: JobName): name is VideoJobName {
  return name in ID_PREFIX;
}

/** All jobs share one queue; names route them to handlers. */
export const QUEUE_NAME = 'media';
