import { RenditionEntity } from './rendition.entity';
import { UserEntity } from './user.entity';
import { VideoEntity } from './video.entity';
import { WatchEntryEntity } from './watch-entry.entity';

export { RenditionEntity, UserEntity, VideoEntity, WatchEntryEntity };
export const entities = [UserEntity, VideoEntity, RenditionEntity, WatchEntryEntity];
