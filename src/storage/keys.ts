/**
 * The storage layout, in one place. Everything of a video lives under its id, so deleting a
 * video is one prefix delete; only `public/` is ever delivered over HTTP.
 *
 *   videos/<id>/source              the original upload
 *   videos/<id>/public/<path>       manifests, segments, poster, storyboard → GET /videos/<id>/<path>
 */
export const videoPrefix = (videoId: string): string => `videos/${videoId}/`;
export const sourceKey = (videoId: string): string => `videos/${videoId}/source`;
export const publicPrefix = (videoId: string): string => `videos/${videoId}/public/`;
export const publicKey = (videoId: string, path: string): string => `videos/${videoId}/public/${path}`;

/** The delivery path of a public key (inverse of publicKey), or null for keys that are not public. */
export function publicPathOf(videoId: string, key: string): string | null {
  const prefix = publicPrefix(videoId);
  return key.startsWith(prefix) ? key.slice(prefix.length) : null;
}
