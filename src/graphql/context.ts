import type { AuthUser } from '../users/tokens';
import { unauthenticated } from '../errors';
import type { Loaders } from './loaders';
import type { ProgressSubscriber } from '../events/event-bus';

/** Built per HTTP request or per graphql-ws operation. */
export interface GraphQLContext {
  user: AuthUser | null;
  /** The caller's address (express `trust proxy` rules, the same on the WebSocket): per-address limits. */
  clientIp: string;
  loaders: Loaders;
  events: ProgressSubscriber;
}

export function requireUser(ctx: GraphQLContext): AuthUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}
