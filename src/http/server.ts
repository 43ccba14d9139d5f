import { createServer, type Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type Express, type Router } from 'express';
import proxyaddr from 'proxy-addr';
import type { GraphQLSchema } from 'graphql';
import type { ResponseCache } from '../cache/response-cache';
import type { Config } from '../config/config';
import type { Logger } from '../config/logger';
import type { GraphQLContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { OperationRules } from '../graphql/limits';
import type { TokenService } from '../users/tokens';
import type { AuthUser } from '../users/tokens';
import { accessLog } from './access-log';
import { graphiqlRouter } from './graphiql';
import { startGraphQLWs } from './graphql-ws';
import { httpMetricsMiddleware, type Metrics } from './metrics';
import { responseCacheMiddleware } from './response-cache.middleware';
import { requestTimeouts, serverTimeoutOptions } from './timeouts';
import { graphqlUploads, multipartErrorHandler } from './upload-errors';

export interface HttpServerDeps {
  config: Config;
  logger: Logger;
  schema: GraphQLSchema;
  tokens: TokenService;
  metrics: Metrics;
  /** Routes mounted before GraphQL (health, delivery, uploads, web app…). */
  routers: Router[];
  createContext: (user: AuthUser | null, clientIp: string) => GraphQLContext;
  /** Whole anonymous public read responses (response-cache.middleware.ts). */
  responseCache: ResponseCache;
}

export interface RunningHttpServer {
  app: Express;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** One port: REST routes, POST /graphql (with multipart uploads) and graphql-ws on /graphql. */
export async function startHttpServer(deps: HttpServerDeps): Promise<RunningHttpServer> {
  const { config, logger, schema, tokens, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Only proxies the operator trusts may name the client (X-Forwarded-For); per-address limits rely on it.
  const trust = proxyaddr.compile(config.trustProxy.split(',').map((s) => s.trim()));
  app.set('trust proxy', trust);
  app.use(requestTimeouts(config.http));
  app.use(httpMetricsMiddleware(metrics));
  app.use(accessLog(logger));
  for (const router of deps.routers) app.use(router);
  app.use(graphiqlRouter());

  const server = createServer(serverTimeoutOptions(config.http), app);
  const rules = new OperationRules(schema, config.graphql);
  const formatError = createErrorFormatter(logger);
  const ws = startGraphQLWs({ server, schema, rules, tokens, metrics, createContext: deps.createContext, formatError, trust });

  const wsDrain: ApolloServerPlugin = {
    async serverWillStart() {
      return { drainServer: () => ws.dispose() };
    },
  };
  const operationMetrics: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, errors }) {
          metrics.graphqlOperations.inc({ type: operation?.operation ?? 'unknown', outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    parseOptions: rules.parseOptions,
    validationRules: rules.validationRules,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      rules.apolloPlugin(),
      wsDrain,
      operationMetrics,
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    responseCacheMiddleware(deps.responseCache, logger),
    graphqlUploads({ maxFileSize: config.maxUploadBytes, maxFiles: 1 }),
    expressMiddleware(apollo, {
      context: async ({ req }) => deps.createContext(await tokens.verifyHeader(req.headers.authorization), req.ip ?? req.socket.remoteAddress ?? 'unknown'),
    }),
    multipartErrorHandler,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: fail start-up instead of hanging
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, 'API listening');
  return {
    app,
    server,
    url,
    async close() {
      await apollo.stop(); // drains HTTP and WebSocket connections
    },
  };
}
