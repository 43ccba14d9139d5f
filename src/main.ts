import 'reflect-metadata';
import type { Router } from 'express';
import { loadConfigOrExit, type Config } from './config/config';
import { createLogger, type Logger } from './config/logger';
import { assertBinaries } from './config/system-check';
import { UserRepository } from './db/repositories/user.repository';
import { VideoRepository } from './db/repositories/video.repository';
import { createLoaders } from './graphql/loaders';
import { createAppPubSub } from './graphql/pubsub';
import { resolverClasses } from './graphql/resolvers';
import { buildAppSchema } from './graphql/schema';
import { AuthResolver } from './graphql/user/auth.resolver';
import { UserResolver } from './graphql/user/user.resolver';
import { ProgressResolver } from './graphql/video/progress.resolver';
import { VideoResolver } from './graphql/video/video.resolver';
import { healthRouter } from './http/health';
import { MediaUrls } from './http/media-urls';
import { createMetrics } from './http/metrics';
import { startHttpServer } from './http/server';
import { webAppRouter } from './http/web-app.router';
import { openInfrastructure, type Infrastructure } from './infrastructure';
import { JobQueue } from './jobs/job-queue';
import { withTimeout } from './utils/timeout';
import { TokenService } from './users/tokens';
import { UserService } from './users/user.service';
import { VideoQueryService } from './videos/video-query.service';

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
  const users = new UserRepository(infra.ds);
  const videos = new VideoRepository(infra.ds);
  const videoQueries = new VideoQueryService(videos);
  const urls = new MediaUrls(config.publicUrl);

  const schema = await buildAppSchema(
    resolverClasses,
    new Map<Function, object>([
      [AuthResolver, new AuthResolver(new UserService(users, tokens))],
      [UserResolver, new UserResolver(videoQueries)],
      [VideoResolver, new VideoResolver(videoQueries, urls)],
      [ProgressResolver, new ProgressResolver()],
    ]),
    pubSub,
  );
  const metrics = createMetrics();
  const routers: Router[] = [
    healthRouter(
      [
        { name: 'mysql', check: () => infra.ds.query('SELECT 1') },
        { name: 'redis', check: () => infra.redis.ping() },
        { name: 'storage', check: () => infra.storage.ping() },
      ],
      metrics.registry,
    ),
    webAppRouter(), // last: its SPA fallback only answers what no other router did
  ];
  const http = await startHttpServer({
    config,
    logger,
    schema,
    tokens,
    metrics,
    routers,
    createContext: (user) => ({ user, loaders: createLoaders({ users, videos }), pubSub }),
  });
  return {
    url: http.url,
    infra,
    async close() {
      await http.close();
      // A dead Redis must not hang shutdown: bounded waits, then the connections are dropped.
      await withTimeout(jobs.close(), 5000, 'closing the queue').catch(() => undefined);
      await infra.close();
    },
  };
}

if (require.main === module) {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'api');
  assertBinaries([config.ffprobePath]);
  startApi(config, logger)
    .then((api) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        api.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((err: unknown) => {
      logger.fatal({ err }, 'API failed to start');
      process.exit(1);
    });
}
