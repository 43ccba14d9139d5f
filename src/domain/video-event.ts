/**
 * What happens to a video that its owner can be told about (by webhook). The values are the wire
 * names (a delivery's `type`, Standard Webhooks style); GraphQL exposes the keys (VIDEO_READY…) as
 * the `WebhookEvent` enum, since enum values cannot hold dots. The video lifecycle raises them.
 */
export enum VideoEvent {
  VIDEO_READY = 'video.ready',
  VIDEO_FAILED = 'video.failed',
  VIDEO_DELETED = 'video.deleted',
  UPLOAD_COMPLETED = 'upload.completed',
}

export const videoEvents: readonly VideoEvent[] = Object.values(VideoEvent);
