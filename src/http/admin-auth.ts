import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { UserRepository } from '../db/repositories/user.repository';
import { AppError } from '../errors';
import type { TokenService } from '../users/tokens';
import type { UserService } from '../users/user.service';

export interface AdminAuthDeps {
  users: UserRepository;
  /** Basic credentials go through the same sign-in as the API (timing equaliser, rate limit). */
  accounts: Pick<UserService, 'signIn'>;
  tokens: TokenService;
}

const CACHE_MS = 60_000;

/**
 * Operators only: accounts made administrators by `npm run admin -- <email>` (the `is_admin` flag;
 * an email list would be claimed by whoever signs up with a listed address first). A browser gets the standard Basic-auth
 * prompt (sign in with the account's email and password); scripts may send the API's
 * `Bearer <token>` instead. Verified Basic credentials are remembered for a minute, because the
 * dashboard polls and argon2 is deliberately slow.
 */
export function adminAuth(deps: AdminAuthDeps) {
  const verified = new Map<string, number>();

  /** true: admin; false: signed in but not an admin; null: not signed in; 'limited': too many failures. */
  async function isAdmin(header: string | undefined, clientIp: string): Promise<boolean | null | 'limited'> {
    if (!header) return null;
    if (/^Bearer\s/i.test(header)) {
      const auth = await deps.tokens.verifyHeader(header);
      const user = auth ? await deps.users.findById(auth.id) : null;
      return user ? user.isAdmin : null;
    }
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (!basic) return null;
    const digest = createHash('sha256').update(basic[1]).digest('hex');
    if ((verified.get(digest) ?? 0) > Date.now()) return true;
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    let admin: boolean;
    try {
      ({ user: { isAdmin: admin } } = await deps.accounts.signIn(decoded.slice(0, colon), decoded.slice(colon + 1), clientIp));
    } catch (err) {
      if (err instanceof AppError && err.code === 'RATE_LIMITED') return 'limited';
      if (err instanceof AppError && err.code === 'UNAUTHENTICATED') return null;
      throw err;
    }
    if (!admin) return false;
    verified.set(digest, Date.now() + CACHE_MS);
    return true;
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    isAdmin(req.headers.authorization, req.ip ?? req.socket.remoteAddress ?? 'unknown').then(
      (ok) => {
        if (ok === true) return next();
        res.setHeader('cache-control', 'no-store');
        if (ok === 'limited') {
          res.status(429).json({ error: 'RATE_LIMITED', message: 'Too many failed sign-ins; try again later' });
          return;
        }
        if (ok === false) {
          res.status(403).json({ error: 'FORBIDDEN', message: 'Administrators only' });
          return;
        }
        res.setHeader('www-authenticate', 'Basic realm="Operators", charset="UTF-8"');
        res.status(401).json({ error: 'UNAUTHENTICATED', message: 'Sign in as an administrator' });
      },
      (err: unknown) => next(err),
    );
  };
}
