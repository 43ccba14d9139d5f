import 'reflect-metadata';
import { Counter } from 'prom-client';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import { PlaybackRepository } from '../db/repositories/playback.repository';
import { UserRepository } from '../db/repositories/user.repository';
import { createLoaders } from '../graphql/loaders';
import { resolverClasses } from '../graphql/resolvers';
import { buildAppSchema } from '../graphql/schema';
import { AuthResolver } from '../graphql/user/auth.resolver';
import { UserResolver } from '../graphql/user/user.resolver';
import { ProgressResolver } from '../graphql/video/progress.resolver';
import { UploadResolver } from '../graphql/video/upload.resolver';
import { VideoMutationResolver } from '../graphql/video/video-mutation.resolver';
import { VideoResolver } from '../graphql/video/video.resolver';
import { WatchResolver } from '../graphql/watch/watch.resolver';
import { CaptionResolver } from '../graphql/video/caption.resolver';
import { DownloadResolver } from '../graphql/video/download.resolver';
import { RateBudget } from '../cache/rate-budget';
import { ResponseCache } from '../cache/response-cache';
import { RedisUploadLocker } from '../cache/upload-locker';
import { clientKey } from '../http/client-key';
import { DownloadService } from '../playback/downloads';
import { ThumbnailService } from '../playback/thumbnails';
import { FrameGrabber } from '../videos/frame-grabber';
import { PosterService } from '../videos/poster.service';
import { WebhookResolver } from '../graphql/webhook/webhook.resolver';
import { bullBoardRouter } from '../http/bull-board.router';
import { deliveryRouter } from '../http/delivery.router';
import { healthRouter } from '../http/health';
import { createMetrics } from '../http/metrics';
import { startHttpServer } from '../http/server';
import { tusRouter } from '../http/tus.router';
import { webAppRouter } from '../http/web-app.router';
import { MediaSigner } from '../playback/media-signer';
import { MediaUrls } from '../playback/media-urls';
import { ViewCounter } from '../playback/view-counter';
import { WatchHistory } from '../playback/watch-history';
import { WatchService } from '../playback/watch.service';
import { SignInLimiter } from '../users/sign-in-limiter';
import { TokenService } from '../users/tokens';
import { UserService } from '../users/user.service';
import { withTimeout } from '../utils/timeout';
import { CaptionService } from '../videos/caption.service';
import { VideoEditService } from '../videos/video-edit.service';
import { VideoQueryService } from '../videos/video-query.service';
import { buildCore } from './core';
import { openInfrastructure, type Infrastructure } from './infrastructure';

export interface RunningApi {
  url: string;
  infra: Infrastructure;
  close(): Promise<void>;
}

/** Wires the API process by hand: repositories → services → resolvers → HTTP. */
export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const infra = await openInfrastructure(config, logger);
  const { events, jobs, videos, cache, lifecycle, tools, uploads, resumable, webhooks, captionRepo, captionPublisher } = buildCore(config, logger, infra);

  // Accounts.
  const tokens = new TokenService(config.jwtSecret, config.tokenTtlSeconds);
  const users = new UserRepository(infra.ds);
  const signUps = new RateBudget(infra.redis, `${config.redisPrefix}:ratelimit:signup`, { points: config.signUp.rateLimit, durationSeconds: config.signUp.rateWindowSeconds }, (s) => `Too many sign-ups from this address; try again in ${s} s`);
  const accounts = new UserService(users, tokens, new SignInLimiter(infra.redis, config.redisPrefix, config.signIn), signUps);

  // Videos and playback.
  const p = config.playback;
  const playbackRepo = new PlaybackRepository(infra.ds);
  const views = new ViewCounter(infra.redis, config.redisPrefix, playbackRepo);
  const history = new WatchHistory(infra.redis, config.redisPrefix, playbackRepo, p.watchHistoryMax);
  const signer = new MediaSigner(config.mediaSigningSecret);
  const urls = new MediaUrls(config.publicUrl, signer, p.mediaTokenTtlSeconds);
  const queries = new VideoQueryService(videos);
  const d = config.derivedMedia;
  const grabber = new FrameGrabber({ storage: infra.storage, tools });
  const posters = new PosterService({ lifecycle, storage: infra.storage, tools, grabber, limits: { maxBytes: d.posterMaxBytes, maxDimension: d.posterMaxDimension }, logger });
  const captions = new CaptionService({ repo: captionRepo, storage: infra.storage, publisher: captionPublisher, maxBytes: d.captionMaxBytes, logger });
  const edits = new VideoEditService({ videos, lifecycle, views, storage: infra.storage, jobs, posters, captions, logger });
  const watch = new WatchService(history, p.watchHistoryMax);
  const downloads = new DownloadService({ storage: infra.storage, jobs });
  const thumbnails = new ThumbnailService({
    storage: infra.storage,
    grabber,
    records: cache,
    limiter: new RateBudget(infra.redis, `${config.redisPrefix}:ratelimit:thumbnail`, { points: d.thumbnailRateLimit, durationSeconds: d.thumbnailRateWindowSeconds }, (s) => `Too many new thumbnails; try again in ${s} s`),
    webp: () => tools.hasEncoder('libwebp'),
  });

  // GraphQL.
  const schema = await buildAppSchema(
    resolverClasses,
    new Map<Function, object>([
      [AuthResolver, new AuthResolver(accounts)],
      [UserResolver, new UserResolver(queries)],
      [VideoResolver, new VideoResolver(queries, urls)],
      [ProgressResolver, new ProgressResolver()],
      [VideoMutationResolver, new VideoMutationResolver(edits)],
      [WatchResolver, new WatchResolver(watch)],
      [UploadResolver, new UploadResolver(uploads)],
      [DownloadResolver, new DownloadResolver(downloads, urls)],
      [CaptionResolver, new CaptionResolver(edits, urls)],
      [WebhookResolver, new WebhookResolver(webhooks)],
    ]),
    events.pubSub,
  );

  // HTTP.
  const locker = new RedisUploadLocker(infra.redis, infra.subscriber, config.redisPrefix);
  const metrics = createMetrics();
  const lookups = new Counter({
    name: 'video_cache_lookups_total',
    help: 'Video metadata cache lookups by outcome (hit, negative_hit, miss, coalesced)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  cache.onLookup = (outcome, n) => lookups.inc({ outcome }, n);
  const thumbnailRequests = new Counter({
    name: 'thumbnail_requests_total',
    help: 'Thumbnails at any time by outcome (hit, coalesced, generated: an ffmpeg run, rate_limited)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  thumbnails.onOutcome = (outcome) => thumbnailRequests.inc({ outcome });
  const http = await startHttpServer({
    config,
    logger,
    schema,
    tokens,
    metrics,
    routers: [
      healthRouter(
        [
          { name: 'mysql', check: () => infra.ds.query('SELECT 1') },
          { name: 'redis', check: () => infra.redis.ping() },
          { name: 'storage', check: () => infra.storage.ping() },
        ],
        metrics.registry,
      ),
      deliveryRouter({ cache, storage: infra.storage, signer, views, config: p, logger, thumbnails, clientOf: clientKey(tokens) }),
      bullBoardRouter([jobs.queue], { users, accounts, tokens }),
      tusRouter({ tokens, uploads, resumable, maxUploadBytes: config.maxUploadBytes, logger, locker }),
      webAppRouter(), // last: its SPA fallback only answers what no other router did
    ],
    createContext: (user, clientIp) => ({ user, clientIp, loaders: createLoaders({ users, videos, captions: captionRepo, cache, views }), events }),
    // Whole anonymous read responses; dropped with the metadata by the lifecycle's invalidation (invalidateVideoCache).
    responseCache: new ResponseCache(infra.redis, config.redisPrefix, config.responseCache),
  });

  // Write-behind of views and watch history; several API processes may run them at once (the flushes are atomic).
  const flushers = [
    { name: 'views', every: p.viewFlushIntervalMs, run: () => views.flush() },
    { name: 'watch history', every: p.watchFlushIntervalMs, run: () => history.flush() },
  ];
  // A failed flush keeps its data in Redis for the next one; it is logged, never thrown.
  const flush = (f: (typeof flushers)[number]) => f.run().catch((err: unknown) => logger.warn({ err, flusher: f.name }, 'flush failed'));
  const timers = flushers.map((f) => setInterval(() => void flush(f), f.every).unref());

  return {
    url: http.url,
    infra,
    async close() {
      await http.close();
      locker.close();
      for (const t of timers) clearInterval(t);
      // What is pending is written before exit; a dead Redis must not hang shutdown: bounded waits, then the connections are dropped.
      await withTimeout(Promise.all(flushers.map(flush)), 5000, 'final flush').catch((err: unknown) => logger.warn({ err }, 'final flush failed'));
      await withTimeout(jobs.close(), 5000, 'closing the queue').catch(() => undefined);
      await infra.close();
    },
  };
}
