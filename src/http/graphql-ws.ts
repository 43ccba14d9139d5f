import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import proxyaddr from 'proxy-addr';
import { WebSocketServer } from 'ws';
import type { GraphQLContext } from '../graphql/context';
import type { OperationRules } from '../graphql/limits';
import { sharedSubscribe } from '../graphql/shared-subscribe';
import { EVENT_ONLY_SUBSCRIPTIONS } from '../graphql/video/progress.resolver';
import type { AuthUser, TokenService } from '../users/tokens';
import type { Metrics } from './metrics';

/** The largest WebSocket frame accepted: as the HTTP JSON body limit (1 MiB). */
export const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** A connection that has not sent `connection_init` (with its token) by then is closed (4408). */
const CONNECTION_INIT_TIMEOUT_MS = 3000;
/** Close code for a refused or expired token (graphql-ws's Forbidden: clients do not retry it). */
const FORBIDDEN = 4403;
// setTimeout's limit (~24.8 days); a longer-lived token is re-checked then.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GraphQLWsDeps {
  server: Server;
  schema: GraphQLSchema;
  rules: OperationRules;
  tokens: TokenService;
  metrics: Metrics;
  createContext: (user: AuthUser | null, clientIp: string) => GraphQLContext;
  /** The HTTP server's `trust proxy` rule, so the WebSocket sees the same client address. */
  trust: (addr: string, i: number) => boolean;
  /** The same masking as over HTTP (graphql/errors.ts). */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/**
 * graphql-ws on /graphql under the HTTP rules: the token is checked at `connection_init` and
 * again on every subscribe (before the document is parsed), the socket closes when the token
 * expires, and every operation meets `OperationRules` with the same error codes and masking.
 */
export function startGraphQLWs(deps: GraphQLWsDeps): { dispose(): Promise<void> } {
  const { schema, rules, tokens, metrics, formatError } = deps;
  const wsServer = new WebSocketServer({ server: deps.server, path: '/graphql', maxPayload: WS_MAX_PAYLOAD_BYTES });
  wsServer.on('connection', (socket) => {
    metrics.wsConnections.inc();
    socket.once('close', () => metrics.wsConnections.dec());
  });
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const cleanup = useServer<Record<string, unknown>, { user?: AuthUser }>(
    {
      schema,
      connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
      // One execution per event and distinct operation, not per subscriber (1,000 following one video).
      subscribe: sharedSubscribe(EVENT_ONLY_SUBSCRIPTIONS),
      // A connection without a valid token is refused (4403); one whose token expires is closed then.
      onConnect: async (ctx) => {
        const session = await tokens.sessionOfHeader(ctx.connectionParams?.authorization);
        if (!session) return false;
        ctx.extra.user = session.user;
        const socket = ctx.extra.socket;
        const timer = setTimeout(() => socket.close(FORBIDDEN, 'Token expired'), Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAt - Date.now())));
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const session = await tokens.sessionOfHeader(ctx.connectionParams?.authorization);
        if (!session) {
          ctx.extra.socket.close(FORBIDDEN, 'Token expired');
          return [new GraphQLError('Sign in required', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const document = rules.prepare(payload, true);
        if (Array.isArray(document)) return document;
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: deps.createContext(session.user, proxyaddr(ctx.extra.request, deps.trust)),
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
    },
    wsServer,
  );
  return { dispose: async () => void (await cleanup.dispose()) };
}
