import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Whole GraphQL responses of anonymous public reads, in Redis, tagged by what they show: a video
 * id, or LIST_TAG for anything listing videos. The video lifecycle drops every response tagged
 * with a video it changed (and every list) in every process, through the metadata cache's
 * invalidation (invalidateVideoCache); a TTL bounds what is not a lifecycle change (live view counts).
 *
 * A fill races invalidations: a response computed from data read before an edit must not be
 * stored after it. Each tag has a generation; a request notes the generations before it executes
 * and the fill (one script) stores the response only if none moved meanwhile.
 */

export const LIST_TAG = '*list';

export interface ResponseCacheOptions {
  enabled: boolean;
  ttlSeconds: number;
}

// KEYS: entry, then per tag: its generation key and its member set. ARGV: body, ttl, then the generations read before.
const FILL_SCRIPT = `
local n = (#KEYS - 1) / 2
for i = 1, n do
  if (redis.call('GET', KEYS[1 + i]) or '0') ~= ARGV[2 + i] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 1, n do
  redis.call('SADD', KEYS[1 + n + i], KEYS[1])
  redis.call('EXPIRE', KEYS[1 + n + i], ARGV[2])
end
return 1`;

// KEYS: per tag its generation key then its member set. Deletes the members, bumps the generation.
const INVALIDATE_SCRIPT = `
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], 86400)
  local members = redis.call('SMEMBERS', KEYS[i + 1])
  for j = 1, #members, 500 do
    redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i + 1])
end
return 1`;

const tagKeys = (prefix: string, tag: string) => ({ gen: `${prefix}:rc-tag:${tag}:gen`, members: `${prefix}:rc-tag:${tag}:keys` });

/**
 * Drops every stored response showing one of these videos, and every list of videos, in every
 * process. Part of invalidateVideoCache (video-cache.ts), which the video lifecycle runs after
 * every committed write: one invalidation for metadata and responses alike.
 */
export async function invalidateResponses(redis: Redis, prefix: string, ...videoIds: string[]): Promise<void> {
  if (!videoIds.length) return;
  const keys = [...new Set([...videoIds, LIST_TAG])].flatMap((t) => [tagKeys(prefix, t).gen, tagKeys(prefix, t).members]);
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

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  /** The tags' generations now, to hand to fill() after executing. */
  async generations(tags: readonly string[]): Promise<string[]> {
    if (!tags.length) return [];
    const values = await this.redis.mget(...tags.map((t) => this.tagKeys(t).gen));
    return values.map((v) => v ?? '0');
  }

  /** Stores the body unless a tag was invalidated since `generations`; true when stored. */
  async fill(key: string, body: string, tags: readonly string[], generations: readonly string[]): Promise<boolean> {
    const keys = [key, ...tags.map((t) => this.tagKeys(t).gen), ...tags.map((t) => this.tagKeys(t).members)];
    const stored = await this.redis.eval(FILL_SCRIPT, keys.length, ...keys, body, String(this.opts.ttlSeconds), ...generations);
    return stored === 1;
  }

  /** See invalidateResponses. */
  invalidate(...videoIds: string[]): Promise<void> {
    return invalidateResponses(this.redis, this.prefix, ...videoIds);
  }

  private tagKeys(tag: string): { gen: string; members: string } {
    return tagKeys(this.prefix, tag);
  }
}
