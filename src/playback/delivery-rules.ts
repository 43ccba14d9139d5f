import type { FileKind } from '../media/file-types';
import { Visibility } from '../domain/video-status';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * The delivery path from the URL's (already percent-decoded) segments, or null when any segment
 * could step outside the video's folder: `..`, `.`, empty, slashes or backslashes smuggled in by
 * encoding, `%` left over from double encoding, control characters.
 */
export function safeDeliveryPath(segments: readonly string[]): string | null {
  if (!segments.length || segments.length > 8) return null;
  for (const s of segments) if (!SEGMENT.test(s) || s === '.' || s === '..' || s.includes('..')) return null;
  return segments.join('/');
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Segments and images never change under one name (a re-encode writes new names), so CDNs keep
 * them for a year; manifests are short-lived. Private responses only in the viewer's cache, and
 * never past their token.
 */
export function cacheControl(kind: FileKind, visibility: Visibility, manifestMaxAge: number, tokenSecondsLeft: number | null): string {
  if (visibility === Visibility.PRIVATE) {
    const left = tokenSecondsLeft ?? 0;
    return `private, max-age=${kind === 'media' ? left : Math.min(left, manifestMaxAge)}`;
  }
  return kind === 'media' ? IMMUTABLE : `public, max-age=${manifestMaxAge}`;
}

/**
 * Downloads: one the owner alone may fetch (downloads off) or of a private video stays in the
 * viewer's cache; others may sit in shared caches for an hour only, as the owner can switch
 * downloads off at any time (the bytes themselves never change under one name).
 */
export function downloadCacheControl(visibility: Visibility, ownerOnly: boolean, tokenSecondsLeft: number | null): string {
  if (ownerOnly || visibility === Visibility.PRIVATE) return `private, max-age=${tokenSecondsLeft ?? 0}`;
  return 'public, max-age=3600';
}

/** Adds the query to the image URIs of a storyboard WebVTT (the cue payload lines). */
export function rewriteVtt(text: string, query: string | null, withQuery: (uri: string, q: string | null) => string): string {
  if (!query) return text;
  return text
    .split(/\r?\n/)
    .map((line) => (/^[^\s:]+\.(jpe?g|png|webp|avif)(#\S*)?$/i.test(line.trim()) ? withQuery(line.trim(), query) : line))
    .join('\n');
}

/**
 * RFC 9110 If-None-Match (weak comparison). Unlike `req.fresh`, a request's `Cache-Control:
 * no-cache` does not matter here: it addresses caches, and fetch() sends it with every conditional request.
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => bare(t) === bare(etag));
}
