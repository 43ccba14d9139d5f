import type { VideoEntity } from '../db/entities';
import { Visibility } from '../domain/video-status';
import type { MediaSigner, TokenScope } from './media-signer';

type UrlVideo = Pick<VideoEntity, 'id' | 'visibility'>;

export interface UrlOptions {
  maxHeight?: number | null;
  /** Expiry of the signed URL for private videos; defaults to now + the token TTL. */
  expiresAt?: Date;
  /** Sign with the owner's scope, whatever the visibility (a download only the owner may fetch). */
  owner?: boolean;
}

/**
 * Builds the client-facing URLs of a video's deliverable files (GET /videos/:id/<path>).
 * Private videos' URLs carry a signed, expiring token the delivery routes check.
 */
export class MediaUrls {
  constructor(
    private readonly publicUrl: string,
    private readonly signer: MediaSigner,
    private readonly tokenTtlSeconds: number,
  ) {}

  file(video: UrlVideo, path: string, opts: UrlOptions = {}): string {
    const params = new URLSearchParams();
    if (opts.maxHeight) params.set('maxHeight', String(opts.maxHeight));
    const scope: TokenScope | null = opts.owner ? 'owner' : video.visibility === Visibility.PRIVATE ? 'media' : null;
    if (scope) params.set('token', this.signer.sign(video.id, opts.expiresAt ?? this.expiry(), scope));
    const query = params.toString();
    return `${this.publicUrl}/videos/${video.id}/${path}${query ? `?${query}` : ''}`;
  }

  /**
   * When signed URLs made now stop working, or null for videos whose URLs do not expire.
   * Rounded up to the minute so repeated reads give the same URLs (player and CDN caches).
   */
  expiry(now = Date.now()): Date {
    const at = now + this.tokenTtlSeconds * 1000;
    return new Date(Math.ceil(at / 60_000) * 60_000);
  }

  expiresAt(video: UrlVideo, opts: Pick<UrlOptions, 'owner'> = {}): Date | null {
    return opts.owner || video.visibility === Visibility.PRIVATE ? this.expiry() : null;
  }
}
