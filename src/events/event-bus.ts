import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, Repeater } from '@graphql-yoga/subscription';
import type { Redis } from 'ioredis';
import { LocalFanout } from './local-fanout';
import type { UploadKeyProgress, VideoProgress } from './progress';

const VIDEO_PROGRESS = 'VIDEO_PROGRESS';
const VIDEO_DELETED = 'VIDEO_DELETED';
const UPLOAD_PROGRESS = 'UPLOAD_PROGRESS';

/** A video's last event outlives its last change by this long (a page reloaded tomorrow asks the database). */
const SNAPSHOT_TTL_SECONDS = 24 * 3600;

/**
 * Atomically: the event's percent never below the stored one (unless it starts a new job), the
 * next sequence number, the snapshot stored with its expiry, and the event published — so the
 * snapshot and the stream agree on order whichever process publishes.
 * KEYS[1] snapshot key; ARGV[1] event JSON; ARGV[2] TTL seconds; ARGV[3] pub/sub channel.
 */
const RECORD_SCRIPT = `
local e = cjson.decode(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local seq = 1
if e.ifStatus then
  -- An update of the stored state (a queue position): dropped unless the video is still in that
  -- status, or when it changes nothing; otherwise merged into the stored event.
  if not raw then return false end
  local old = cjson.decode(raw)
  if old.status ~= e.ifStatus or old.queuePosition == e.queuePosition then return false end
  e.ifStatus = nil
  for k, v in pairs(e) do old[k] = v end
  e = old
end
if raw then
  local old = cjson.decode(raw)
  if type(old.seq) == 'number' then seq = old.seq + 1 end
  if e.reset ~= true and type(old.percent) == 'number' and type(e.percent) == 'number' and e.percent < old.percent then
    e.percent = old.percent
  end
end
e.reset = nil
e.seq = seq
local out = cjson.encode(e)
redis.call('SET', KEYS[1], out, 'EX', tonumber(ARGV[2]))
redis.call('PUBLISH', ARGV[3], out)
return out
`;

/** Topic → (routing id, payload). Redis carries events between the API and worker processes. */
export type PubSubChannels = {
  [VIDEO_PROGRESS]: [videoId: string, payload: VideoProgress];
  [VIDEO_DELETED]: [videoId: string, payload: { videoId: string }];
  /** Routed by `<owner id>:<upload key>`: a key is only ever heard by the user who uploads with it. */
  [UPLOAD_PROGRESS]: [ownerKey: string, payload: UploadKeyProgress];
};

export type AppPubSub = ReturnType<typeof createPubSub<PubSubChannels>>;

/** Where progress goes out (the video lifecycle, upload bytes, the transcode reporter). */
export interface ProgressPublisher {
  /** Resolves once the event is stored and sent; never rejects (progress is advisory). */
  publish(event: VideoProgress): Promise<void> | void;
}

/** Where multipart uploads with an `uploadKey` report their bytes. */
export interface UploadKeyPublisher {
  publishUpload(ownerId: string, event: UploadKeyProgress): void;
}

/** The last event a video had, as stored with its order (`seq`); null when none is kept. */
export interface ProgressSnapshots {
  latest(videoId: string): Promise<VideoProgress | null>;
}

/** Where `videoProgress` subscriptions read from. */
export interface ProgressSubscriber extends ProgressSnapshots {
  /** The live events; listening starts with the first `next()`. */
  subscribe(videoId: string): AsyncIterable<VideoProgress>;
  /** Resolves once Redis has acknowledged listening to the video (after `subscribe` started). */
  listening(videoId: string): Promise<void>;
  /** The bytes of `ownerId`'s upload sent with `uploadKey`. */
  subscribeUpload(ownerId: string, uploadKey: string): AsyncIterable<UploadKeyProgress>;
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
 * any video's events, whichever process published them. Each video's last event is kept as its
 * snapshot, which also holds the percent floor that keeps `percent` monotonic across processes.
 */
export class EventBus implements ProgressPublisher, ProgressSubscriber, UploadKeyPublisher, DeletionPublisher, DeletionSubscriber {
  /** The underlying pub/sub, which type-graphql's schema builder asks for. */
  readonly pubSub: AppPubSub;

  constructor(
    private readonly publishClient: Redis,
    private readonly subscribeClient: Redis,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void = () => undefined,
    /** Where snapshots are read: a connection whose commands time out (readers must not wait for Redis). */
    private readonly readClient: Redis = publishClient,
  ) {
    this.pubSub = createPubSub<PubSubChannels>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
    // One listener for every subscription (thousands per process): a listener each would trip
    // Node's MaxListenersExceededWarning and walk the emitter's array on every add and remove.
    subscribeClient.on('ready', () => {
      for (const resync of this.resyncs) resync();
    });
  }

  /** What each live subscription does after the subscriber connection comes back. */
  private readonly resyncs = new Set<() => void>();

  async publish(event: VideoProgress): Promise<void> {
    try {
      await this.publishClient.eval(RECORD_SCRIPT, 1, this.snapshotKey(event.videoId), JSON.stringify(event), SNAPSHOT_TTL_SECONDS, `${VIDEO_PROGRESS}:${event.videoId}`);
    } catch (err) {
      this.onError(err);
    }
  }

  /**
   * The video's events as they are published. Every subscription to one video in this process
   * shares one stream of them (`LocalFanout`): 1,000 subscribers are one listener, not 1,000.
   */
  subscribe(videoId: string): AsyncIterable<VideoProgress> {
    return this.progress.follow(videoId);
  }

  private readonly progress = new LocalFanout<VideoProgress>((videoId) => this.listen(videoId));

  /**
   * One video's pub/sub stream. Pub/sub drops what is published while the subscriber connection
   * is away (a Redis restart), so after every reconnect the stored snapshot is read (twice:
   * publishers held back by the outage catch up a moment later) and sent when it is newer than
   * what this stream last carried; `seq` keeps the stream in order without repeats.
   */
  private listen(videoId: string): AsyncIterable<VideoProgress> {
    const stream = this.pubSub.subscribe(VIDEO_PROGRESS, videoId)[Symbol.asyncIterator]();
    return new Repeater<VideoProgress>(async (push, stop) => {
      let lastSeq = 0;
      const emit = (e: VideoProgress) => {
        if (e.seq !== undefined && e.seq <= lastSeq) return;
        lastSeq = e.seq ?? lastSeq;
        void push(e);
      };
      const timers = new Set<NodeJS.Timeout>();
      const resync = () => {
        for (const delay of [300, 3000]) {
          const t = setTimeout(() => {
            timers.delete(t);
            this.latest(videoId).then((e) => e && emit(e), () => undefined);
          }, delay);
          timers.add(t);
        }
      };
      this.resyncs.add(resync);
      const stopped = stop.then(() => null);
      try {
        for (;;) {
          const next = await Promise.race([stream.next(), stopped]);
          if (!next || next.done) break;
          emit(next.value);
        }
      } finally {
        this.resyncs.delete(resync);
        for (const t of timers) clearTimeout(t);
        await stream.return?.();
        stop();
      }
    });
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

  publishUpload(ownerId: string, event: UploadKeyProgress): void {
    this.pubSub.publish(UPLOAD_PROGRESS, `${ownerId}:${event.uploadKey}`, event);
  }

  subscribeUpload(ownerId: string, uploadKey: string): AsyncIterable<UploadKeyProgress> {
    return this.pubSub.subscribe(UPLOAD_PROGRESS, `${ownerId}:${uploadKey}`);
  }

  async listening(videoId: string): Promise<void> {
    // The event target already sent SUBSCRIBE for this channel; Redis answers in order, so the
    // acknowledgement of this one means that one is in force. Subscribing twice is harmless.
    await this.subscribeClient.subscribe(`${VIDEO_PROGRESS}:${videoId}`);
  }

  async latest(videoId: string): Promise<VideoProgress | null> {
    const raw = await this.readClient.get(this.snapshotKey(videoId));
    return raw ? (JSON.parse(raw) as VideoProgress) : null;
  }

  private snapshotKey(videoId: string): string {
    return `${this.prefix}:progress:${videoId}`;
  }
}
