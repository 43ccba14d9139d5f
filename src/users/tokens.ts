import { jwtVerify, SignJWT } from 'jose';

export interface AuthUser {
  id: string;
}

const ISSUER = 'video-platform';
const AUDIENCE = 'api';

/** Signs and verifies the bearer tokens clients send on HTTP and graphql-ws. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The user, or null for a missing, malformed, forged or expired token. */
  async verify(token: string | undefined | null): Promise<AuthUser | null> {
    return (await this.session(token))?.user ?? null;
  }

  /** The user and when the token stops being valid (epoch ms), or null as `verify`. */
  async session(token: string | undefined | null): Promise<{ user: AuthUser; expiresAt: number } | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (!payload.sub || payload.exp === undefined) return null;
      return { user: { id: payload.sub }, expiresAt: payload.exp * 1000 };
    } catch {
      return null;
    }
  }

  /** Accepts `Bearer <token>` (any case) as sent in headers and connectionParams. */
  verifyHeader(header: unknown): Promise<AuthUser | null> {
    return this.verify(bearer(header));
  }

  /** `session` for a `Bearer <token>` header value. */
  sessionOfHeader(header: unknown): Promise<{ user: AuthUser; expiresAt: number } | null> {
    return this.session(bearer(header));
  }
}

function bearer(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  return /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
}
