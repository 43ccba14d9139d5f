import type { Request } from 'express';
import type { TokenService } from '../users/tokens';

/**
 * Who a request counts against for per-client rate limits: the signed-in user when it carries a
 * valid bearer token (one budget across devices and addresses), else its address (`trust proxy`
 * decides which one that is behind a load balancer).
 */
export function clientKey(tokens: Pick<TokenService, 'verifyHeader'>) {
  return async (req: Request): Promise<string> => {
    const user = await tokens.verifyHeader(req.headers.authorization);
    return user ? `user:${user.id}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
  };
}
