import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'expired' | 'invalid';

/**
 * What a token opens: `media` the video's files (private videos), `owner` also what only its owner
 * may fetch (downloads while Video.allowDownload is off). Part of the MAC, so one never passes for the other.
 */
export type TokenScope = 'media' | 'owner';

/**
 * Signed, expiring tokens for private videos' delivery URLs: `<exp>.<hmac>` where the HMAC
 * covers the video id and the expiry, so a token opens one video until one moment and nothing else.
 * Stateless: every API process verifies with the shared secret, no lookup.
 */
export class MediaSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  sign(videoId: string, expiresAt: Date, scope: TokenScope = 'media'): string {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return `${exp}.${this.mac(videoId, exp, scope).toString('base64url')}`;
  }

  verify(videoId: string, token: string, now: Date = new Date(), scope: TokenScope = 'media'): TokenCheck {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return 'invalid';
    const exp = Number(match[1]);
    const given = Buffer.from(match[2] ?? '', 'base64url');
    const expected = this.mac(videoId, exp, scope);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return exp * 1000 > now.getTime() ? 'ok' : 'expired';
  }

  /** Seconds until the token's expiry (0 when past); for Cache-Control on private responses. */
  static secondsLeft(token: string, now: Date = new Date()): number {
    const exp = Number(token.split('.')[0]);
    return Math.max(0, Math.floor(exp - now.getTime() / 1000));
  }

  private mac(videoId: string, exp: number, scope: TokenScope): Buffer {
    // `media:<id>:<exp>` is the form tokens had before scopes: they stay valid.
    return createHmac('sha256', this.key).update(`${scope}:${videoId}:${exp}`).digest();
  }
}
