import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Whole GraphQL responses of anonymous public reads, in Redis, tagged by what they show: a video
 * id, or LIST_TAG for anything listing videos. The video lifecycle drops every response tagged
 * with a video it changed (and every list) in every process, through the metadata cache's
 * invalidation (invalidateVideoCache); a TTL bounds what is not a lifecycle change (live view counts).
 *
 * A fill races invalidations: a response computed from data read before an edit must not be
 * stored after it. Every invalidation bumps one generation; a request notes it before executing
 * and the fill (one script) stores the response only if it has not moved meanwhile (a fill that
 * overlapped any edit is simply not stored). Nothing is left per video once its responses are
 * dropped.
 */

export const LIST_TAG = '*list';

export interface ResponseCacheOptions {
  enabled: boolean;
  ttlSeconds: number;
}

// KEYS: the generation, the entry, then each tag's member set. ARGV: the generation read before, body, ttl.
const FILL_SCRIPT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[2])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
return 1`;

// KEYS: the generation, then each tag's member set. Bumps the generation, deletes the members and the sets.
const INVALIDATE_SCRIPT = `
redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return 1`;

const generationKey = (prefix: string) => `${prefix}:rc-gen`;
const membersKey = (prefix: string, tag: string) => `${prefix}:rc-tag:${tag}`;

/**
 * Drops every stored response showing one of these videos, and every list of videos, in every
 * process. Part of invalidateVideoCache (video-cache.ts), which the video lifecycle runs after
 * every committed write: one invalidation for metadata and responses alike.
 */
export async function invalidateResponses(redis: Redis, prefix: string, ...videoIds: string[]): Promise<void> {
  if (!videoIds.length) return;
  const keys = [generationKey(prefix), ...[...new Set([...videoIds, LIST_TAG])].map((t) => membersKey(prefix, t))];
  await redis.eval(INVALIDATE_SCRIPT, keys.length, ...keys);
}

export class ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly opts: ResponseCacheOptions,
  ) {}

  /** The entry key of one request (query text, operation name and variables). */
  keyOf(query: string, operationName: string | null, variables: unknown): string {
    const digest = createHash('sha256').update(JSON.stringify([query, operationName, variables ?? null])).digest('base64url');
    return `${this.prefix}:rc:${digest}`;
  }

  /** The stored body, or the generation to fill with after executing (one round trip). */
  async lookup(key: string): Promise<{ hit: string } | { generation: string }> {
    const [hit, generation] = await this.redis.mget(key, generationKey(this.prefix));
    return hit !== null ? { hit } : { generation: generation ?? '0' };
  }

  /** Stores the body unless anything was invalidated since `generation`; true when stored. */
  async fill(key: string, body: string, tags: readonly string[], generation: string): Promise<boolean> {
    const keys = [generationKey(this.prefix), key, ...tags.map((t) => membersKey(this.prefix, t))];
    const stored = await this.redis.eval(FILL_SCRIPT, keys.length, ...keys, generation, body, String(this.opts.ttlSeconds));
    return stored === 1;
  }

  /** See invalidateResponses. */
  invalidate(...videoIds: string[]): Promise<void> {
    return invalidateResponses(this.redis, this.prefix, ...videoIds);
  }
}
