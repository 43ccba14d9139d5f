const VIDEO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Video ids are UUIDs (randomUUID). Checked before any lookup so a malformed id answers
 * NOT_FOUND/BAD_USER_INPUT without touching MySQL or Redis.
 */
export function isVideoId(value: string): boolean {
  return VIDEO_ID.test(value);
}
