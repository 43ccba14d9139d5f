import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import type { VideoProgress } from './progress';

const VIDEO_PROGRESS = 'VIDEO_PROGRESS';
const VIDEO_DELETED = 'VIDEO_DELETED';

/** Topic → (routing id, payload). Redis carries events between the API and worker processes. */
export type PubSubChannels = {
  [VIDEO_PROGRESS]: [videoId: string, payload: VideoProgress];
  [VIDEO_DELETED]: [videoId: string, payload: { videoId: string }];
};

export type AppPubSub = ReturnType<typeof createPubSub<PubSubChannels>>;

/** Where progress goes out (the video lifecycle, upload bytes, the transcode reporter). */
export interface ProgressPublisher {
  publish(event: VideoProgress): void;
}

/** Where `videoProgress` subscriptions read from. */
export interface ProgressSubscriber {
  subscribe(videoId: string): AsyncIterable<VideoProgress>;
}

/** Where the lifecycle says a video is gone, so work on it anywhere stops (the worker's ffmpeg). */
export interface DeletionPublisher {
  announceDeleted(videoId: string): void;
}

/** Where running work learns that its video was deleted. */
export interface DeletionSubscriber {
  /** Calls `onDeleted` (once) when the video is deleted; the returned function stops watching. */
  watchDeletion(videoId: string, onDeleted: () => void): () => void;
}

/**
 * The progress event bus, shared by every process through Redis pub/sub: any API instance relays
 * any video's events, whichever process published them.
 */
export class EventBus implements ProgressPublisher, ProgressSubscriber, DeletionPublisher, DeletionSubscriber {
  /** The underlying pub/sub, which type-graphql's schema builder asks for. */
  readonly pubSub: AppPubSub;

  constructor(publishClient: Redis, subscribeClient: Redis) {
    this.pubSub = createPubSub<PubSubChannels>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  }

  publish(event: VideoProgress): void {
    this.pubSub.publish(VIDEO_PROGRESS, event.videoId, event);
  }

  subscribe(videoId: string): AsyncIterable<VideoProgress> {
    return this.pubSub.subscribe(VIDEO_PROGRESS, videoId);
  }

  announceDeleted(videoId: string): void {
    this.pubSub.publish(VIDEO_DELETED, videoId, { videoId });
  }

  watchDeletion(videoId: string, onDeleted: () => void): () => void {
    const events = this.pubSub.subscribe(VIDEO_DELETED, videoId)[Symbol.asyncIterator]();
    let watching = true;
    events.next().then(
      (e) => {
        if (watching && !e.done) onDeleted();
      },
      () => undefined,
    );
    return () => {
      watching = false;
      void events.return?.();
    };
  }
}
