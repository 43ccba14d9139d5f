import { Counter, type Registry } from 'prom-client';
import { VideoCache } from '../cache/video-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { PlaybackRepository } from '../db/repositories/playback.repository';
import { VideoEditRepository } from '../db/repositories/video-edit.repository';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoMutationResolver } from '../graphql/video/video-mutation.resolver';
import { WatchResolver } from '../graphql/watch/watch.resolver';
import { deliveryRouter } from '../http/delivery.router';
import { MediaSigner } from '../http/media-signer';
import { MediaUrls } from '../http/media-urls';
import type { Infrastructure } from '../infrastructure';
import type { JobQueue } from '../jobs/job-queue';
import { VideoEditService } from '../videos/video-edit.service';
import type { VideoEvents } from '../webhooks/webhook-events';
import type { VideoQueryService } from '../videos/video-query.service';
import { ViewCounter } from './view-counter';
import { WatchHistory } from './watch-history';

export type Playback = ReturnType<typeof createPlayback>;

/** Reads, delivery and user-specific playback data for the API process, wired by hand. */
export function createPlayback(deps: {
  config: Config;
  logger: Logger;
  infra: Infrastructure;
  videos: VideoRepository;
  jobs: JobQueue;
  queries: VideoQueryService;
  events: VideoEvents;
}) {
  const { config, logger, infra } = deps;
  const p = config.playback;
  const repo = new PlaybackRepository(infra.ds);
  const cache = new VideoCache(infra.redis, config.redisPrefix, deps.videos, {
    enabled: p.cacheEnabled,
    ttlSeconds: p.cacheTtlSeconds,
    negativeTtlSeconds: p.cacheNegativeTtlSeconds,
    jitter: p.cacheJitter,
  });
  const views = new ViewCounter(infra.redis, config.redisPrefix, repo);
  const history = new WatchHistory(infra.redis, config.redisPrefix, repo, p.watchHistoryMax);
  const signer = new MediaSigner(config.mediaSigningSecret);
  const urls = new MediaUrls(config.publicUrl, signer, p.mediaTokenTtlSeconds);
  const edits = new VideoEditService({
    videos: deps.videos,
    edits: new VideoEditRepository(infra.ds),
    cache,
    views,
    storage: infra.storage,
    jobs: deps.jobs,
    events: deps.events,
    logger,
  });
  const flushers = [
    { name: 'views', every: p.viewFlushIntervalMs, run: () => views.flush() },
    { name: 'watch history', every: p.watchFlushIntervalMs, run: () => history.flush() },
  ];
  const timers: NodeJS.Timeout[] = [];
  // A failed flush keeps its data in Redis for the next one; it is logged, never thrown.
  const flush = (f: (typeof flushers)[number]) => f.run().catch((err: unknown) => logger.warn({ err, flusher: f.name }, 'flush failed'));
  return {
    cache,
    views,
    urls,
    router: deliveryRouter({ cache, storage: infra.storage, signer, views, config: p, logger }),
    resolvers: [
      [VideoMutationResolver, new VideoMutationResolver(edits, history)],
      [WatchResolver, new WatchResolver(history, p.watchHistoryMax)],
    ] as [Function, object][],
    registerMetrics(registry: Registry): void {
      const lookups = new Counter({
        name: 'video_cache_lookups_total',
        help: 'Video metadata cache lookups by outcome (hit, negative_hit, miss, coalesced)',
        labelNames: ['outcome'],
        registers: [registry],
      });
      cache.onLookup = (outcome, n) => lookups.inc({ outcome }, n);
    },
    /** Write-behind timers; several API processes may run them at once (the flushes are atomic). */
    start(): void {
      for (const f of flushers) {
        const t = setInterval(() => void flush(f), f.every);
        t.unref();
        timers.push(t);
      }
    },
    /** Stops the timers and writes what is pending, so a clean shutdown loses nothing. */
    async stop(): Promise<void> {
      for (const t of timers.splice(0)) clearInterval(t);
      await Promise.all(flushers.map(flush));
    },
  };
}
