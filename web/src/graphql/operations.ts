import type { MeQuery as MeResult, PublicVideosQuery, VideoCardFragment, VideoProgressSubscription, WatchVideoQuery } from './generated';

// Documents and result types come from generated.ts (`npm run codegen`, from schema.graphql and
// operations.graphql); this module only gives them the names the pages use.
export {
  AddCaptionDocument as AddCaptionMutation,
  ContinueWatchingDocument as ContinueWatchingQuery,
  CreateUploadDocument as CreateUploadMutation,
  CreateWebhookDocument as CreateWebhookMutation,
  DeleteVideoDocument as DeleteVideoMutation,
  DeleteWebhookDocument as DeleteWebhookMutation,
  MeDocument as MeQuery,
  MyVideosDocument as MyVideosQuery,
  PublicVideosDocument as PublicVideosQuery,
  RecordPlaybackDocument as RecordPlaybackMutation,
  RemoveCaptionDocument as RemoveCaptionMutation,
  SetPosterDocument as SetPosterMutation,
  SignInDocument as SignInMutation,
  SignUpDocument as SignUpMutation,
  UpdateVideoDocument as UpdateVideoMutation,
  VideoDownloadDocument as VideoDownloadQuery,
  VideoProgressDocument as VideoProgressSubscription,
  WatchVideoDocument as WatchVideoQuery,
  WebhookDeliveriesDocument as WebhookDeliveriesQuery,
  WebhooksDocument as WebhooksQuery,
} from './generated';
export type { CaptionKind, CreateUploadInput, VideoOrder, VideoStatus, Visibility, WebhookEvent, WebhookFieldsFragment as Webhook } from './generated';

export type UserRef = NonNullable<MeResult['me']>;
/** A video in a list: the VideoCard fragment, with its uploader where the list asks for it. */
export type VideoCard = VideoCardFragment & { uploader?: UserRef };
export interface Connection {
  edges: { cursor: string; node: VideoCard }[];
  pageInfo: PublicVideosQuery['videos']['pageInfo'];
}
export type WatchVideo = NonNullable<WatchVideoQuery['video']>;
export type ProgressEvent = VideoProgressSubscription['videoProgress'];
