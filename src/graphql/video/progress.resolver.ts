import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { parseUploadKey, parseVideoId } from '../../domain/video-id';
import { VideoStatus } from '../../domain/video-status';
import { badInput, notFound } from '../../errors';
import type { UploadKeyProgress, VideoProgress } from '../../events/progress';
import { followProgress, followUpload } from '../../events/progress-stream';
import { publicFailureReason } from '../../videos/failure-reason';
import { findVisible } from '../../videos/video-access';
import { requireUser, type GraphQLContext } from '../context';
import { UploadProgressEvent, VideoProgressEvent } from './progress.type';

/**
 * Only someone who may see the video may follow it; checked once, when subscribing. The first
 * event is the video's current state; a video already READY or FAILED gets that and completes.
 */
async function subscribeToProgress({ args, context }: SubscribeResolverData<unknown, { videoId: string }, GraphQLContext>) {
  const user = requireUser(context);
  const videoId = parseVideoId(args.videoId);
  const video = videoId ? await findVisible(context.loaders.video, videoId, user.id) : null;
  if (!video) throw notFound();
  const events = followProgress(context.events, { id: video.id, status: video.status, failureReason: video.failureReason, playable: video.hlsKey !== null, sizeBytes: video.sizeBytes });
  return user.id === video.ownerId ? events : withPublicReasons(events);
}

/**
 * Subscription fields whose result depends only on the event, the document and the variables, never
 * on the context: graphql-ws executes one of their events once per distinct operation, for every
 * subscriber handed the same event object (graphql/shared-subscribe.ts). What differs by viewer
 * (the failure reason) is decided here, in `subscribe`, by which event object a subscriber gets.
 */
export const EVENT_ONLY_SUBSCRIPTIONS: ReadonlySet<string> = new Set(['videoProgress']);

/** Each event's public view, made once: every non-owner gets the same object, so the same shared result. */
const publicViews = new WeakMap<VideoProgress, VideoProgress>();
function publicView(e: VideoProgress): VideoProgress {
  if (e.status !== VideoStatus.FAILED) return e;
  let view = publicViews.get(e);
  if (!view) publicViews.set(e, (view = { ...e, message: publicFailureReason(e.message) }));
  return view;
}

/**
 * Other viewers of a public video hear that it failed, not the internals of why (failure-reason.ts).
 * An iterator, not a generator: `return()` reaches `events` at once, even while a `next()` waits.
 */
function withPublicReasons(events: AsyncGenerator<VideoProgress>): AsyncIterableIterator<VideoProgress> {
  return {
    next: async () => {
      const r = await events.next();
      return r.done ? r : { value: publicView(r.value), done: false };
    },
    return: (value?: unknown) => events.return(value),
    throw: (err?: unknown) => events.throw(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A key is followed in its owner's own namespace: another user with the same key hears nothing of it. */
function subscribeToUpload({ args, context }: SubscribeResolverData<unknown, { uploadKey: string }, GraphQLContext>) {
  const user = requireUser(context);
  const key = parseUploadKey(args.uploadKey);
  if (!key) throw badInput('uploadKey must be a UUID');
  return followUpload(context.events.subscribeUpload(user.id, key));
}

@Resolver()
export class ProgressResolver {
  @Subscription(() => UploadProgressEvent, {
    description:
      'Bytes of your multipart `uploadVideo` sent with this uploadKey, while the body streams in (subscribe before sending), then the video id and QUEUED (or FAILED); then it completes.',
    subscribe: subscribeToUpload,
  })
  uploadProgress(@Root() e: UploadKeyProgress, @Arg('uploadKey') _uploadKey: string): UploadProgressEvent {
    return {
      uploadKey: e.uploadKey,
      videoId: e.videoId,
      status: e.status,
      bytesReceived: e.bytesReceived,
      bytesTotal: e.bytesTotal,
      percent: Math.round(Math.min(100, Math.max(0, e.percent)) * 10) / 10,
      message: e.message ?? null,
    };
  }

  @Subscription(() => VideoProgressEvent, {
    description:
      'Live progress of one video: first its current state, then upload bytes, the queue, each processing phase, then READY or FAILED, after which it completes.',
    subscribe: subscribeToProgress,
  })
  videoProgress(@Root() event: VideoProgress, @Arg('videoId', () => ID) _videoId: string): VideoProgressEvent {
    return {
      videoId: event.videoId,
      status: event.status,
      phase: event.phase,
      percent: Math.round(Math.min(100, Math.max(0, event.percent)) * 10) / 10,
      phasePercent: event.phasePercent ?? null,
      etaSeconds: event.etaSeconds == null ? null : Math.max(0, Math.round(event.etaSeconds)),
      queuePosition: event.queuePosition ?? null,
      attempt: event.attempt ?? null,
      restartPhase: event.restartPhase ?? null,
      bytesReceived: event.bytesReceived ?? null,
      bytesTotal: event.bytesTotal ?? null,
      rendition: event.rendition ?? null,
      message: event.message ?? null,
      playable: event.playable ?? false,
    };
  }
}
