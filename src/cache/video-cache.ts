import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RenditionEntity, VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { invalidateResponses } from './response-cache';

/** A video row with its ladder: what reads and delivery need, cached as one value. */
export interface VideoRecord {
  video: VideoEntity;
  renditions: RenditionEntity[];
}

export interface VideoCacheOptions {
  enabled: boolean;
  ttlSeconds: number;
  negativeTtlSeconds: number;
  /** ±fraction of the TTL, so entries filled together do not expire together. */
  jitter: number;
}

const MISSING = '0';
const LEASE_MS = 5000;
const WAIT_FOR_PEER_MS = 300;

// Writes the value only while the filler still holds its lease: an invalidation in between
// deletes the lease, so a fill that read the database before an update cannot store stale data.
const FILL_SCRIPT = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`;

export function cacheKeys(prefix: string, videoId: string): { data: string; lease: string } {
  return { data: `${prefix}:video:${videoId}`, lease: `${prefix}:video:${videoId}:lease` };
}

/**
 * Drops a video's cached metadata, and every whole response showing it or listing videos
 * (response-cache.ts), in every process (both live in Redis). The video lifecycle calls it
 * (through VideoCache.invalidate) after every write to a video row.
 */
export async function invalidateVideoCache(redis: Redis, prefix: string, ...videoIds: string[]): Promise<void> {
  if (!videoIds.length) return;
  await redis.del(...videoIds.flatMap((id) => Object.values(cacheKeys(prefix, id))));
  // After the metadata: a response filled from metadata read before this point is refused or dropped.
  await invalidateResponses(redis, prefix, ...videoIds);
}

export function jitteredTtl(base: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

/**
 * Cache-aside in front of the video repository. Misses are loaded in one batch, coalesced
 * in-process (single flight) and across processes (a lease: only its holder loads, others
 * wait briefly for the value). Missing ids are cached briefly too. Access rules are NOT applied
 * here: callers check canView on every read, cached or not.
 */
export type CacheOutcome = 'hit' | 'negative_hit' | 'miss' | 'coalesced';

export class VideoCache {
  private readonly inflight = new Map<string, Promise<VideoRecord | null>>();
  private readonly unflushed = new Set<string>();
  private retryArmed = false;
  /** Set by the wiring to feed metrics. */
  onLookup: (outcome: CacheOutcome, count: number) => void = () => undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly videos: VideoRepository,
    private readonly opts: VideoCacheOptions,
  ) {}

  async get(id: string): Promise<VideoRecord | null> {
    return (await this.getMany([id]))[0] ?? null;
  }

  /** In key order, null for ids with no row. */
  async getMany(ids: readonly string[]): Promise<(VideoRecord | null)[]> {
    if (!ids.length) return [];
    if (!this.opts.enabled) {
      const loaded = await this.load([...new Set(ids)]);
      return ids.map((id) => loaded.get(id) ?? null);
    }
    // Redis away (not connected, or a command timed out): read MySQL directly, as with the cache off.
    const cached = this.redis.status === 'ready' ? await this.redis.mget(...ids.map((id) => cacheKeys(this.prefix, id).data)).catch(() => null) : null;
    if (!cached) {
      const loaded = await this.load([...new Set(ids)]);
      return ids.map((id) => loaded.get(id) ?? null);
    }
    const result = new Map<string, Promise<VideoRecord | null>>();
    const misses: string[] = [];
    const tally: Record<CacheOutcome, number> = { hit: 0, negative_hit: 0, miss: 0, coalesced: 0 };
    ids.forEach((id, i) => {
      const raw = cached[i];
      if (raw === null || raw === undefined) {
        const pending = this.inflight.get(id);
        if (pending) {
          tally.coalesced += 1;
          result.set(id, pending);
        } else if (!misses.includes(id)) misses.push(id);
      } else {
        tally[raw === MISSING ? 'negative_hit' : 'hit'] += 1;
        result.set(id, Promise.resolve(raw === MISSING ? null : deserialize(raw)));
      }
    });
    tally.miss = misses.length;
    for (const [outcome, n] of Object.entries(tally)) if (n) this.onLookup(outcome as CacheOutcome, n);
    if (misses.length) {
      const batch = this.fill(misses);
      for (const id of misses) {
        const one = batch.then((m) => m.get(id) ?? null);
        this.inflight.set(id, one);
        result.set(id, one);
        void one.finally(() => this.inflight.delete(id)).catch(() => undefined);
      }
    }
    return Promise.all(ids.map((id) => result.get(id) ?? Promise.resolve(null)));
  }

  /**
   * Never throws: the row is already written, and a failed invalidation must not fail the move.
   * Ids that could not be dropped (Redis away) are dropped as soon as Redis is back, so no stale
   * copy outlives an outage by more than a reconnect.
   */
  async invalidate(...ids: string[]): Promise<void> {
    try {
      await invalidateVideoCache(this.redis, this.prefix, ...ids);
    } catch {
      for (const id of ids) this.unflushed.add(id);
      if (!this.retryArmed) {
        this.retryArmed = true;
        this.redis.once('ready', () => {
          this.retryArmed = false;
          const again = [...this.unflushed];
          this.unflushed.clear();
          void this.invalidate(...again);
        });
      }
    }
  }

  private async fill(ids: string[]): Promise<Map<string, VideoRecord | null>> {
    const token = randomUUID();
    const leases = this.redis.pipeline();
    for (const id of ids) leases.set(cacheKeys(this.prefix, id).lease, token, 'PX', LEASE_MS, 'NX');
    const leased = await leases.exec().catch(() => null);
    if (!leased) return this.load(ids);
    const acquired = leased.map(([, res]) => res === 'OK');
    const mine = ids.filter((_, i) => acquired[i]);
    const peers = ids.filter((_, i) => !acquired[i]);

    const out = new Map<string, VideoRecord | null>();
    const loaded = await this.load(mine);
    if (mine.length) {
      const writes = this.redis.pipeline();
      for (const id of mine) {
        const rec = loaded.get(id) ?? null;
        const keys = cacheKeys(this.prefix, id);
        const ttl = rec ? jitteredTtl(this.opts.ttlSeconds, this.opts.jitter) : this.opts.negativeTtlSeconds;
        writes.eval(FILL_SCRIPT, 2, keys.data, keys.lease, token, rec ? JSON.stringify(rec) : MISSING, ttl);
        out.set(id, rec);
      }
      // A value not written is only a later miss.
      await writes.exec().catch(() => undefined);
    }
    if (peers.length) for (const [id, rec] of await this.waitForPeers(peers)) out.set(id, rec);
    return out;
  }

  /** Another process holds the lease: its value usually lands within a few ms; else read the DB ourselves. */
  private async waitForPeers(ids: string[]): Promise<Map<string, VideoRecord | null>> {
    const out = new Map<string, VideoRecord | null>();
    let pending = ids;
    for (let waited = 0; pending.length && waited < WAIT_FOR_PEER_MS; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      const raw = await this.redis.mget(...pending.map((id) => cacheKeys(this.prefix, id).data)).catch(() => null);
      if (!raw) break;
      pending = pending.filter((id, i) => {
        const v = raw[i];
        if (v === null || v === undefined) return true;
        out.set(id, v === MISSING ? null : deserialize(v));
        return false;
      });
    }
    for (const [id, rec] of await this.load(pending)) out.set(id, rec);
    return out;
  }

  /** Two statements for any number of ids. */
  private async load(ids: string[]): Promise<Map<string, VideoRecord | null>> {
    const out = new Map<string, VideoRecord | null>();
    if (!ids.length) return out;
    const [videos, renditions] = await Promise.all([this.videos.findByIds(ids), this.videos.renditionsFor(ids)]);
    for (const id of ids) out.set(id, null);
    for (const video of videos) out.set(video.id, { video, renditions: renditions.filter((r) => r.videoId === video.id) });
    return out;
  }
}

const DATE_FIELDS = ['createdAt', 'updatedAt', 'readyAt', 'uploadExpiresAt'] as const;

export function deserialize(raw: string): VideoRecord {
  const parsed = JSON.parse(raw) as { video: Record<string, unknown>; renditions: Record<string, unknown>[] };
  const video = Object.assign(new VideoEntity(), parsed.video);
  for (const f of DATE_FIELDS) {
    const v = parsed.video[f];
    (video as unknown as Record<string, Date | null>)[f] = typeof v === 'string' ? new Date(v) : null;
  }
  return { video, renditions: parsed.renditions.map((r) => Object.assign(new RenditionEntity(), r)) };
}
