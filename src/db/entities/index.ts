import { CaptionEntity } from './caption.entity';
import { RenditionEntity } from './rendition.entity';
import { UserEntity } from './user.entity';
import { VideoEntity } from './video.entity';
import { WatchEntryEntity } from './watch-entry.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';

export { CaptionEntity, RenditionEntity, UserEntity, VideoEntity, WatchEntryEntity, WebhookDeliveryEntity, WebhookEntity };
export const entities = [UserEntity, VideoEntity, RenditionEntity, WatchEntryEntity, WebhookEntity, WebhookDeliveryEntity, CaptionEntity];
