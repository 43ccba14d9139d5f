const VIDEO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one video id check, used at every boundary (GraphQL arguments, cursors, delivery and tus
 * routes). Ids are UUIDs (randomUUID, lower case); any spelling of a valid UUID comes back in that
 * canonical form, which is the only one repositories, cache keys, storage keys and job ids see.
 * null for anything else, so a malformed id answers NOT_FOUND/BAD_USER_INPUT without touching
 * MySQL or Redis.
 */
export function parseVideoId(raw: string | null | undefined): string | null {
  return typeof raw === 'string' && VIDEO_ID.test(raw) ? raw.toLowerCase() : null;
}

/** A client-made `uploadKey` (uploadVideo, uploadProgress): a UUID like a video id, canonical lower case; null otherwise. */
export function parseUploadKey(raw: string | null | undefined): string | null {
  return parseVideoId(raw);
}
