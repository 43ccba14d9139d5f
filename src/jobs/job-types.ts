/**
 * Every background job, in one typed place: its name and payload. The worker refuses to
 * start unless each name has exactly one handler (see job-registry.ts).
 */
export interface JobPayloads {
  /** Probe, transcode to the ladder, poster and storyboard, then publish. */
  'video.transcode': { videoId: string };
  /** After deleteVideo: removes what a running transcode may still have written (storage, cache). */
  'video.purge': { videoId: string };
  /** Repeating: removes unfinished uploads past their expiry (see upload-cleanup.job.ts). */
  'uploads.cleanup': Record<string, never>;
  /** One message to one webhook endpoint; retried with exponential backoff over hours (webhook.service.ts). */
  'webhook.deliver': {
    webhookId: string;
    /** The `webhook-id` header, the same on every attempt. */
    messageId: string;
    event: string;
    /** The JSON body, serialised once so every attempt signs the same bytes. */
    body: string;
  };
  /** Repeating: drops delivery log rows past their retention. */
  'webhooks.prune': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const jobNames: readonly JobName[] = ['video.transcode', 'video.purge', 'uploads.cleanup', 'webhook.deliver', 'webhooks.prune'];

/** One transcode job per video: enqueueing twice is a no-op, and delete can find it to cancel. */
export const transcodeJobId = (videoId: string): string => `transcode-${videoId}`;

/** All jobs share one queue; names route them to handlers. */
export const QUEUE_NAME = 'media';
