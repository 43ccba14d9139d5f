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

export const jobNames: readonly JobName[] = ['video.transcode', 'video.purge', 'uploads.cleanup', 'webhook.deliver', 'webhooks.prune'];

/** The jobs about one video: at most one of each kind per video exists at a time. */
export type VideoJobName = { [N in JobName]: JobPayloads[N] extends { videoId: string } ? N : never }[JobName];

const ID_PREFIX: Record<VideoJobName, string> = { 'video.transcode': 'transcode', 'video.purge': 'purge' };

/**
 * The id of a video's job, computed here and nowhere else: enqueueing twice is a no-op, and delete
 * can find the job to cancel it. Ids stay `transcode-<id>`/`purge-<id>`, so jobs queued before
 * a deploy are still found.
 */
export function jobIdFor(name: VideoJobName, videoId: string): string {
  return `${ID_PREFIX[name]}-${videoId}`;
}

export function isVideoJob(name: JobName): name is VideoJobName {
  return name in ID_PREFIX;
}

/** All jobs share one queue; names route them to handlers. */
export const QUEUE_NAME = 'media';
