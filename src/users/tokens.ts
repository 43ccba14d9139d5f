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
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      return payload.sub ? { id: payload.sub } : null;
    } catch {
      return null;
    }
  }

  /** Accepts `Bearer <token>` (any case) as sent in headers and connectionParams. */
  verifyHeader(header: unknown): Promise<AuthUser | null> {
    if (typeof header !== 'string') return Promise.resolve(null);
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return this.verify(match?.[1]);
  }
}
