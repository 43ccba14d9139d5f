import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { UserRepository } from '../db/repositories/user.repository';
import { verifyPassword } from '../users/password';
import type { TokenService } from '../users/tokens';

export interface AdminAuthDeps {
  users: UserRepository;
  tokens: TokenService;
  adminEmails: string[];
}

const CACHE_MS = 60_000;

/**
 * Operators only: users whose email is in ADMIN_EMAILS. A browser gets the standard Basic-auth
 * prompt (sign in with the account's email and password); scripts may send the API's
 * `Bearer <token>` instead. Verified Basic credentials are remembered for a minute, because the
 * dashboard polls and argon2 is deliberately slow.
 */
export function adminAuth(deps: AdminAuthDeps) {
  const admins = new Set(deps.adminEmails.map((e) => e.toLowerCase()));
  const verified = new Map<string, number>();

  async function isAdmin(header: string | undefined): Promise<boolean | null> {
    if (!header) return null;
    if (/^Bearer\s/i.test(header)) {
      const auth = await deps.tokens.verifyHeader(header);
      const user = auth ? await deps.users.findById(auth.id) : null;
      return user ? admins.has(user.email.toLowerCase()) : null;
    }
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (!basic) return null;
    const digest = createHash('sha256').update(basic[1]).digest('hex');
    if ((verified.get(digest) ?? 0) > Date.now()) return true;
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const email = decoded.slice(0, colon).trim().toLowerCase();
    const user = await deps.users.findByEmail(email);
    if (!user || !(await verifyPassword(user.passwordHash, decoded.slice(colon + 1)))) return null;
    if (!admins.has(email)) return false;
    verified.set(digest, Date.now() + CACHE_MS);
    return true;
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    isAdmin(req.headers.authorization).then(
      (ok) => {
        if (ok) return next();
        res.setHeader('cache-control', 'no-store');
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
