import { randomBytes } from 'node:crypto';

/**
 * The storage layout, in one place. A video's objects live under two roots: `videos/` holds what
 * may be delivered, `sources/` the originals, which never are. Deleting a video deletes both of
 * its prefixes (`storedPrefixes`).
 *
 *   sources/<id>/original           the original upload (and, while it is resumable, the tus
 *                                   store's bookkeeping beside it: original.info, original.part)
 *   videos/<id>/public/<path>       manifests, segments, poster, storyboard → GET /videos/<id>/<path>
 *
 * Rows written before `sources/` existed keep their original at `videos/<id>/source`, the key
 * their `sourceKey` column holds: whatever reads a source takes the row's key (`sourceKeyOf`), and
 * only a new upload is given `sourceKey(id)`.
 *
 * A transcode writes its outputs under a fresh generation folder, `public/<gen>/`, and removes
 * the other folders once it is published. What is made later from a generation lives inside it,
 * so it goes with it:
 *
 *   public/<gen>/downloads/<height>p.mp4              an MP4 of one rung (made on first request)
 *   public/<gen>/thumbnails/<width>w-<ms>ms.<ext>      a frame at any time (cached on first request)
 *   public/<gen>/posters/<set>/<w>x<h>.<ext>           a picked or uploaded poster, one folder per set
 *   public/<gen>/master-<rev>.m3u8, manifest-<rev>.mpd, subs-<rev>-<lang>.m3u8
 *                                                      the manifests again, with the caption tracks
 *
 * Caption tracks belong to the video, not to one encode, so they live beside the generations and
 * outlive re-encodes and failures (only deleting the video removes them):
 *
 *   public/captions/<lang>-<rand>.vtt                   one WebVTT file per language, a new name when replaced
 */
/**
 * Behind a CDN (PUBLIC_MEDIA_BASE_URL) the CDN's origin may serve `videos/` (a bucket policy or
 * path pattern on that prefix) and must never serve `sources/`: originals are then unreachable by
 * construction. While rows from before `sources/` remain (their original at `videos/<id>/source`),
 * keep the origin to `videos/<id>/public/…`. Names inside `public/` that are not shared publicly
 * carry 128 random bits (`unguessableName`), so a private video's files cannot be fetched from the
 * origin by knowing its id, whatever it exposes.
 */
export const VIDEOS_ROOT = 'videos/';
export const SOURCES_ROOT = 'sources/';
/** Every root the platform stores under: whatever walks all stored objects (the audit) lists each. */
export const STORAGE_ROOTS = [VIDEOS_ROOT, SOURCES_ROOT] as const;
export const videoPrefix = (videoId: string): string => `${VIDEOS_ROOT}${videoId}/`;
export const sourcePrefix = (videoId: string): string => `${SOURCES_ROOT}${videoId}/`;
/** Where a new upload's original goes (a row records it in `sourceKey`). */
export const sourceKey = (videoId: string): string => `${sourcePrefix(videoId)}original`;
/** Where originals went before `sources/` existed; only rows from then point here. */
export const legacySourceKey = (videoId: string): string => `${videoPrefix(videoId)}source`;

/** The original of a video row: the key it recorded (either layout), or where a new one goes. */
export const sourceKeyOf = (video: { id: string; sourceKey: string | null }): string => video.sourceKey ?? sourceKey(video.id);

/** Every prefix that holds objects of a video: removing them all removes the video's bytes, whichever layout its original has. */
export const storedPrefixes = (videoId: string): string[] => STORAGE_ROOTS.map((root) => `${root}${videoId}/`);

const KEY_OF_VIDEO = new RegExp(`^(?:${STORAGE_ROOTS.join('|')})([^/]+)/`);
const SOURCE_KEY = /^(?:sources\/([^/]+)\/original|videos\/([^/]+)\/source)$/;

/** The video id a stored key belongs to (under either root), or null for keys outside them. */
export function videoIdOfKey(key: string): string | null {
  return KEY_OF_VIDEO.exec(key)?.[1] ?? null;
}

/** The video id of an original's key (either layout, the whole key), or null; not checked for canonical form. */
export function videoIdOfSourceKey(key: string): string | null {
  const m = SOURCE_KEY.exec(key);
  return m ? (m[1] ?? m[2])! : null;
}

export const publicPrefix = (videoId: string): string => `${videoPrefix(videoId)}public/`;
export const publicKey = (videoId: string, path: string): string => `${publicPrefix(videoId)}${path}`;

/** A name no one can guess: sortable by time, then 128 random bits (generations, caption files). */
export function unguessableName(now = Date.now()): string {
  return `${now.toString(36)}${randomBytes(16).toString('hex')}`;
}

/** The delivery path of a public key (inverse of publicKey), or null for keys that are not public. */
export function publicPathOf(videoId: string, key: string): string | null {
  const prefix = publicPrefix(videoId);
  return key.startsWith(prefix) ? key.slice(prefix.length) : null;
}

/** The generation folder a published key lives in (`<gen>` of `public/<gen>/…`), '' for keys at the top; null when not public. */
export function generationOf(videoId: string, key: string): string | null {
  const path = publicPathOf(videoId, key);
  if (path === null) return null;
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** A key inside a generation folder. */
export const generationKey = (videoId: string, generation: string, path: string): string =>
  publicKey(videoId, generation ? `${generation}/${path}` : path);

const DOWNLOAD = /^downloads\/(\d{2,5})p\.mp4$/;

export const downloadPath = (height: number): string => `downloads/${height}p.mp4`;

/** The rung height of a download's delivery path (`<gen>/downloads/<h>p.mp4`), or null for any other path. */
export function downloadHeightOf(path: string): number | null {
  const m = DOWNLOAD.exec(path.split('/').slice(-2).join('/'));
  return m ? Number(m[1]) : null;
}

export const thumbnailPath = (width: number, timeMs: number, ext: string): string => `thumbnails/${width}w-${timeMs}ms.${ext}`;

export const posterSetPath = (set: string, name: string): string => `posters/${set}/${name}`;

/** The folder of caption files inside `public/` (never a generation: it outlives them). */
export const CAPTIONS_FOLDER = 'captions';

export const captionKey = (videoId: string, name: string): string => publicKey(videoId, `${CAPTIONS_FOLDER}/${name}`);
