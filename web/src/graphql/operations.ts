import { gql, type TypedDocumentNode } from '@urql/core';
import source from './operations.graphql?raw';

// Hand-written result types for operations.graphql (the schema's names, API.md's contract).
export type VideoStatus = 'UPLOADING' | 'QUEUED' | 'PROCESSING' | 'READY' | 'FAILED';
export type Visibility = 'PUBLIC' | 'UNLISTED' | 'PRIVATE';
export type VideoOrder = 'NEWEST' | 'MOST_VIEWED' | 'OLDEST';
export interface UserRef { id: string; displayName: string }
export interface Image { url: string; width: number; height: number }
export interface VideoCard {
  id: string;
  title: string;
  status: VideoStatus;
  visibility: Visibility;
  failureReason: string | null;
  durationSeconds: number | null;
  createdAt: string;
  poster: Image | null;
  uploader?: UserRef;
}
export interface Connection { edges: { cursor: string; node: VideoCard }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
export interface Rendition { height: number; width: number; bitrate: number; codecs: string }
export interface Storyboard { vttUrl: string; imageUrl: string; tileWidth: number; tileHeight: number; intervalSeconds: number }
export interface Playback { hlsUrl: string; dashUrl: string; expiresAt: string | null }
export interface WatchVideo extends VideoCard {
  description: string | null;
  width: number | null;
  height: number | null;
  allowDownload: boolean;
  uploader: UserRef;
  renditions: Rendition[];
  storyboard: Storyboard | null;
  playback: Playback | null;
}
export interface ProgressEvent {
  videoId: string;
  status: VideoStatus;
  phase: string;
  percent: number;
  bytesReceived: number | null;
  bytesTotal: number | null;
  rendition: number | null;
  message: string | null;
  playable: boolean;
}
export type DownloadStatus = 'PENDING' | 'READY' | 'FAILED';
export interface Download { status: DownloadStatus; height: number; url: string | null; filename: string; sizeBytes: number | null }
export interface CreateUploadInput { title: string; description: string | null; visibility: Visibility; filename: string; sizeBytes: number }
interface AuthPayload { token: string; user: UserRef }
type Page = { first: number; after: string | null };

const all = gql(source);
const fragments = new Map(all.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])));

/** One operation of operations.graphql with just the fragments it spreads (servers refuse unused ones). */
function operation<Data, Vars extends Record<string, unknown>>(name: string): TypedDocumentNode<Data, Vars> {
  const op = all.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
  if (!op) throw new Error(`operations.graphql has no operation ${name}`);
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { kind?: string; name?: { value: string } };
    if (n.kind === 'FragmentSpread' && n.name && !used.has(n.name.value)) {
      used.add(n.name.value);
      visit(fragments.get(n.name.value));
    }
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value);
  };
  visit(op);
  const definitions = [op, ...[...used].map((f) => fragments.get(f)!)];
  // A new document (not a copy of `all`): urql caches the printed text and key on the object.
  return { kind: all.kind, definitions } as TypedDocumentNode<Data, Vars>;
}

export const MeQuery = operation<{ me: UserRef | null }, Record<string, never>>('Me');
export const SignUpMutation = operation<{ signUp: AuthPayload }, { email: string; password: string; displayName: string }>('SignUp');
export const SignInMutation = operation<{ signIn: AuthPayload }, { email: string; password: string }>('SignIn');
export const MyVideosQuery = operation<{ me: { id: string; videos: Connection } | null }, Page>('MyVideos');
export const PublicVideosQuery = operation<{ videos: Connection }, Page & { search: string | null; orderBy: VideoOrder }>('PublicVideos');
export const ContinueWatchingQuery = operation<
  { continueWatching: { positionSeconds: number; watchedAt: string; video: VideoCard }[] },
  { first: number }
>('ContinueWatching');
export const WatchVideoQuery = operation<{ video: WatchVideo | null }, { id: string }>('WatchVideo');
export const CreateUploadMutation = operation<
  { createUpload: { uploadUrl: string; expiresAt: string; video: VideoCard } },
  { input: CreateUploadInput }
>('CreateUpload');
export const VideoDownloadQuery = operation<{ video: { id: string; download: Download | null } | null }, { id: string; height: number | null }>('VideoDownload');
export const UpdateVideoMutation = operation<
  { updateVideo: { id: string; allowDownload: boolean; poster: Image | null } },
  { id: string; input: { allowDownload?: boolean; posterTimeSeconds?: number } }
>('UpdateVideo');
export const SetPosterMutation = operation<{ setPoster: { id: string; poster: Image | null } }, { videoId: string; file: null }>('SetPoster');
export const DeleteVideoMutation = operation<{ deleteVideo: boolean }, { id: string }>('DeleteVideo');
export const RecordPlaybackMutation = operation<{ recordPlayback: boolean }, { videoId: string; positionSeconds: number }>('RecordPlayback');
export const VideoProgressSubscription = operation<{ videoProgress: ProgressEvent }, { videoId: string }>('VideoProgress');
