import 'reflect-metadata';
import type { Router } from 'express';
import type { Config } from './config/config';
import type { Logger } from './config/logger';
import { runProcess } from './config/process-runner';
import { UserRepository } from './db/repositories/user.repository';
import { VideoRepository } from './db/repositories/video.repository';
import { createLoaders } from './graphql/loaders';
import { createAppPubSub } from './graphql/pubsub';
import { resolverClasses } from './graphql/resolvers';
import { buildAppSchema } from './graphql/schema';
import { AuthResolver } from './graphql/user/auth.resolver';
import { UserResolver } from './graphql/user/user.resolver';
import { ProgressResolver } from './graphql/video/progress.resolver';
import { UploadResolver } from './graphql/video/upload.resolver';
import { VideoResolver } from './graphql/video/video.resolver';
import { WebhookResolver } from './graphql/webhook/webhook.resolver';
import { bullBoardRouter } from './http/bull-board.router';
import { healthRouter } from './http/health';
import { createMetrics } from './http/metrics';
import { startHttpServer } from './http/server';
import { tusRouter } from './http/tus.router';
import { webAppRouter } from './http/web-app.router';
import { openInfrastructure, type Infrastructure } from './infrastructure';
import { JobQueue } from './jobs/job-queue';
import { createPlayback } from './playback/playback.wiring';
import { withTimeout } from './utils/timeout';
import { SignInLimiter } from './users/sign-in-limiter';
import { TokenService } from './users/tokens';
import { UserService } from './users/user.service';
import { createUploads } from './videos/uploads.module';
import { VideoQueryService } from './videos/video-query.service';
import { createWebhooks } from './webhooks/webhooks.module';

export interface RunningApi {
  url: string;
  infra: Infrastructure;
  close(): Promise<void>;
}

/** Wires the API process by hand: repositories → services → resolvers → HTTP. */
export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const infra = await openInfrastructure(config, logger);
  const pubSub = createAppPubSub(infra.redis, infra.subscriber);
  const jobs = new JobQueue(infra.redis, config.redisPrefix);
  const tokens = new TokenService(config.jwtSecret, config.tokenTtlSeconds);
  const signInLimiter = new SignInLimiter(infra.redis, config.redisPrefix, config.signIn.maxFailures, config.signIn.windowSeconds);
  const users = new UserRepository(infra.ds);
  const accounts = new UserService(users, tokens, signInLimiter);
  const videos = new VideoRepository(infra.ds);
  const videoQueries = new VideoQueryService(videos);
  const webhooks = createWebhooks({ config, logger, infra, jobs });
  const playback = createPlayback({ config, logger, infra, videos, jobs, queries: videoQueries, events: webhooks.service });
  const urls = playback.urls;
  const uploads = createUploads({ config, logger, infra, pubSub, jobs, events: webhooks.service });

  const schema = await buildAppSchema(
    resolverClasses,
    new Map<Function, object>([
      [AuthResolver, new AuthResolver(accounts)],
      [UserResolver, new UserResolver(videoQueries)],
      [VideoResolver, new VideoResolver(videoQueries, urls)],
      [ProgressResolver, new ProgressResolver()],
      ...playback.resolvers,
      [UploadResolver, new UploadResolver(uploads.service)],
      [WebhookResolver, new WebhookResolver(webhooks.service)],
    ]),
    pubSub,
  );
  const metrics = createMetrics();
  playback.registerMetrics(metrics.registry);
  const routers: Router[] = [
    healthRouter(
      [
        { name: 'mysql', check: () => infra.ds.query('SELECT 1') },
        { name: 'redis', check: () => infra.redis.ping() },
        { name: 'storage', check: () => infra.storage.ping() },
      ],
      metrics.registry,
    ),
    playback.router,
    bullBoardRouter([jobs.queue], { users, accounts, tokens, adminEmails: config.adminEmails }),
    tusRouter({ tokens, uploads: uploads.service, resumable: uploads.resumable, maxUploadBytes: config.maxUploadBytes, logger }),
    webAppRouter(), // last: its SPA fallback only answers what no other router did
  ];
  const http = await startHttpServer({
    config,
    logger,
    schema,
    tokens,
    metrics,
    routers,
    createContext: (user) => ({ user, loaders: createLoaders({ users, videos, cache: playback.cache, views: playback.views }), pubSub }),
  });
  playback.start();
  return {
    url: http.url,
    infra,
    async close() {
      await http.close();
      // A dead Redis must not hang shutdown: bounded waits, then the connections are dropped.
      await withTimeout(playback.stop(), 5000, 'final flush').catch((err: unknown) => logger.warn({ err }, 'final flush failed'));
      await withTimeout(jobs.close(), 5000, 'closing the queue').catch(() => undefined);
      await infra.close();
    },
  };
}

if (require.main === module) runProcess('api', (c) => [c.ffprobePath], startApi);
