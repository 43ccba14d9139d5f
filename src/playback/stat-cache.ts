import type { ObjectStat } from '../storage/storage';

/**
 * Stats of immutable media files (segments and init segments live under a generation folder
 * and are never rewritten), kept in process for a short while so a segment request is one storage
 * read instead of a stat (a HEAD round trip on S3) and a read. Entries can outlive a deleted
 * generation: the caller evicts one when the read that follows fails, and asks storage again.
 */
export class StatCache {
  private readonly entries = new Map<string, { stat: ObjectStat; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): ObjectStat | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return e.stat;
  }

  set(key: string, stat: ObjectStat): void {
    // Oldest first out: Map keeps insertion order.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { stat, until: this.now() + this.ttlMs });
  }

  evict(key: string): void {
    this.entries.delete(key);
  }
}
