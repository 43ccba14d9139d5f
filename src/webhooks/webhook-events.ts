/**
 * What a webhook can subscribe to. The values are the wire names (the payload's `type`, Standard
 * Webhooks style); GraphQL exposes the keys (VIDEO_READY…), since enum values cannot hold dots.
 */
export enum WebhookEvent {
  VIDEO_READY = 'video.ready',
  VIDEO_FAILED = 'video.failed',
  VIDEO_DELETED = 'video.deleted',
  UPLOAD_COMPLETED = 'upload.completed',
}

export const webhookEvents: readonly WebhookEvent[] = Object.values(WebhookEvent);

/**
 * The one way the rest of the platform reports a video event. Never throws: an event that
 * cannot be queued is logged, and the state change that caused it stands.
 */
export interface VideoEvents {
  /** Loads the video (one statement) and queues a delivery to each subscribed endpoint of its owner. */
  emit(event: WebhookEvent, videoId: string): Promise<void>;
  /** For callers that hold the row already, or after it is gone (video.deleted). */
  emitFor(event: WebhookEvent, video: EventVideo): Promise<void>;
}

/** The part of a video an event carries; owners receive their own private videos' events too. */
export interface EventVideo {
  id: string;
  ownerId: string;
  title: string;
  status: string;
  visibility: string;
  failureReason: string | null;
  durationSeconds: number | null;
}
