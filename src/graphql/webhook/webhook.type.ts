import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { WebhookDeliveryEntity, WebhookEntity } from '../../db/entities';
import { VideoEvent } from '../../domain/video-event';

registerEnumType(VideoEvent, {
  name: 'WebhookEvent',
  description: 'Sent as the payload `type`: VIDEO_READY = video.ready, VIDEO_FAILED = video.failed, VIDEO_DELETED = video.deleted, UPLOAD_COMPLETED = upload.completed.',
});

export { VideoEvent };

@ObjectType({ description: 'An endpoint that receives signed video events (Standard Webhooks).' })
export class Webhook {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field(() => [VideoEvent]) events!: VideoEvent[];
  @Field(() => Date) createdAt!: Date;

  static from(e: WebhookEntity): Webhook {
    return Object.assign(new Webhook(), { id: e.id, url: e.url, events: e.events, createdAt: e.createdAt });
  }
}

@ObjectType()
export class CreatedWebhook {
  @Field(() => Webhook) webhook!: Webhook;
  @Field({ description: 'The signing secret (`whsec_…`). Shown only in this answer: store it now.' })
  secret!: string;
}

@ObjectType({ description: 'One delivery attempt, newest first; kept for WEBHOOK_DELIVERY_RETENTION_DAYS.' })
export class WebhookDelivery {
  @Field(() => ID) id!: string;
  @Field({ description: 'The `webhook-id` header: the same on every attempt of one message.' }) messageId!: string;
  @Field(() => VideoEvent) event!: VideoEvent;
  @Field(() => Int) attempt!: number;
  @Field(() => Int, { nullable: true, description: 'Null when no answer came (refused address, DNS, connection, timeout).' })
  statusCode!: number | null;
  @Field(() => Int, { nullable: true, description: 'Until the response headers arrived.' }) latencyMs!: number | null;
  @Field() succeeded!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date) createdAt!: Date;

  static from(e: WebhookDeliveryEntity): WebhookDelivery {
    return Object.assign(new WebhookDelivery(), {
      id: String(e.id),
      messageId: e.messageId,
      event: e.event as VideoEvent,
      attempt: e.attempt,
      statusCode: e.statusCode,
      latencyMs: e.latencyMs,
      succeeded: Boolean(e.succeeded),
      error: e.error,
      createdAt: e.createdAt,
    });
  }
}
