import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import type { VideoProgress } from './progress';

export enum Topic {
  VideoProgress = 'VIDEO_PROGRESS',
}

/** Topic → (routing id, payload). Redis carries events between the API and worker processes. */
export type PubSubChannels = {
  [Topic.VideoProgress]: [videoId: string, payload: VideoProgress];
};

export type AppPubSub = ReturnType<typeof createAppPubSub>;

export function createAppPubSub(publishClient: Redis, subscribeClient: Redis) {
  return createPubSub<PubSubChannels>({
    eventTarget: createRedisEventTarget({ publishClient, subscribeClient }),
  });
}
