import type { NonEmptyArray } from 'type-graphql';
import './video/video.enums';
import { AuthResolver } from './user/auth.resolver';
import { UserResolver } from './user/user.resolver';
import { CaptionResolver } from './video/caption.resolver';
import { DownloadResolver } from './video/download.resolver';
import { ProgressResolver } from './video/progress.resolver';
import { VideoMutationResolver } from './video/video-mutation.resolver';
import { UploadResolver } from './video/upload.resolver';
import { VideoResolver } from './video/video.resolver';
import { WatchResolver } from './watch/watch.resolver';
import { WebhookResolver } from './webhook/webhook.resolver';

/** Every resolver class of the schema; main.ts wires an instance for each. */
export const resolverClasses: NonEmptyArray<Function> = [
  AuthResolver,
  UserResolver,
  VideoResolver,
  ProgressResolver,
  VideoMutationResolver,
  WatchResolver,
  UploadResolver,
  DownloadResolver,
  CaptionResolver,
  WebhookResolver,
];
