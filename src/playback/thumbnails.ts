import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { VideoRecord } from '../cache/video-cache';
import type { RenditionEntity } from '../db/entities';
import { AppError, notFound } from '../errors';
import type { StillFormat } from '../media/derived-args';
import { contentTypeOf } from '../media/file-types';
import { generationKey, generationOf, thumbnailPath } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { withTempDir } from '../utils/temp-dir';
import type { FrameGrabber } from '../videos/frame-grabber';
import { rungForWidth } from './rungs';
import { parseThumbnailQuery, snapTimeMs, THUMBNAIL_FILES, thumbnailSize } from './thumbnail-rules';

interface Miss {
  key: string;
  rung: RenditionEntity;
  time: number;
  size: { width: number; height: number };
  /** thumbnail.jpg or thumbnail.webp */
  file: string;
  format: StillFormat;
}

export type ThumbnailOutcome = 'hit' | 'coalesced' | 'generated' | 'rate_limited';

export interface ThumbnailDeps {
  storage: ObjectStorage;
  grabber: Pick<FrameGrabber, 'grab'>;
  /** The current record of a video (the metadata cache), to notice a re-encode that happened meanwhile. */
  records: { get(id: string): Promise<VideoRecord | null> };
  /** Spends one of the client's points on an uncached thumbnail (RATE_LIMITED when none is left). */
  limiter: { consume(client: string): Promise<void> };
  /** Whether ffmpeg can write WebP here (libwebp). */
  webp: () => Promise<boolean>;
}

/**
 * Thumbnails at any time (`/videos/:id/thumbnail.jpg?time=&width=`): a frame from the nearest
 * rung, made once and then served from storage like any other image. Only a miss costs ffmpeg
 * work, so only a miss spends the client's rate budget; concurrent misses of one frame in one
 * process share the work. Access rules are the caller's (the delivery route).
 */
export class ThumbnailService {
  /** Set by the wiring to feed metrics (hits are what spares ffmpeg). */
  onOutcome: (outcome: ThumbnailOutcome) => void = () => undefined;
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly deps: ThumbnailDeps) {}

  /** The storage key holding the frame asked for by `file` (thumbnail.jpg or .webp) and `query`; `client` (who pays for a miss) is asked only on a miss. */
  async keyFor(record: VideoRecord, file: string, query: Record<string, unknown>, client: () => Promise<string>): Promise<string> {
    const format = THUMBNAIL_FILES[file];
    if (!format) throw notFound('Thumbnail');
    const { time, width } = parseThumbnailQuery(query);
    const { video } = record;
    const rung = rungForWidth(record.renditions, width);
    if (!rung) throw notFound('Thumbnail');
    const timeMs = snapTimeMs(time, video.durationSeconds ?? 0);
    const generation = generationOf(video.id, rung.playlistKey) ?? '';
    const key = generationKey(video.id, generation, thumbnailPath(width, timeMs, path.extname(file).slice(1)));

    if (await this.deps.storage.stat(key)) return this.outcome('hit', key);
    const pending = this.inflight.get(key);
    if (pending) return pending.then(() => this.outcome('coalesced', key));
    // Registered before any await, so a concurrent miss of the same frame in this process waits for this one.
    const work = this.make({ key, rung, time: timeMs / 1000, size: thumbnailSize(rung, width), file, format }, client);
    this.inflight.set(key, work);
    try {
      await work;
    } finally {
      this.inflight.delete(key);
    }
    // Re-encoded meanwhile: its removal of the old generation may have run before the put.
    const now = await this.deps.records.get(video.id);
    if (!now?.renditions.some((r) => generationOf(video.id, r.playlistKey) === generation)) {
      await this.deps.storage.delete(key);
      throw notFound('Thumbnail');
    }
    return this.outcome('generated', key);
  }

  /** A miss: the client pays one point, then the frame is grabbed and stored. */
  private async make(miss: Miss, client: () => Promise<string>): Promise<void> {
    const { key, rung, time, size, file, format } = miss;
    if (format === 'webp' && !(await this.deps.webp())) throw new AppError('UNSUPPORTED_MEDIA', 'WebP thumbnails are not available on this server; use thumbnail.jpg');
    try {
      await this.deps.limiter.consume(await client());
    } catch (err) {
      this.onOutcome('rate_limited');
      throw err;
    }
    await withTempDir('vp-thumb-', async (dir) => {
      const out = path.join(dir, file);
      await this.deps.grabber.grab(rung, time, [{ file: out, ...size, format }]);
      await this.deps.storage.put(key, createReadStream(out), { contentType: contentTypeOf(file) });
    });
  }

  private outcome(outcome: ThumbnailOutcome, key: string): string {
    this.onOutcome(outcome);
    return key;
  }
}
