import type { RenditionEntity, VideoEntity } from '../db/entities';
import { VideoStatus } from '../domain/video-status';
import { badInput } from '../errors';
import type { JobQueue } from '../jobs/job-queue';
import { downloadPath, generationKey, generationOf, publicPathOf } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { canDownload } from '../videos/video-access';

export type DownloadStatus = 'PENDING' | 'READY' | 'FAILED';

/** What a viewer is offered for one rung: the file once it exists, or where its making stands. */
export interface DownloadOffer {
  status: DownloadStatus;
  height: number;
  width: number;
  /** Delivery path under the video (`<gen>/downloads/<h>p.mp4`): immutable, it goes with its generation. */
  path: string;
  sizeBytes: number | null;
  /** What the browser saves it as (Content-Disposition). */
  filename: string;
  /** Downloads are off for everyone else: the URL must carry the owner's token. */
  ownerOnly: boolean;
}

/** A failed remux is reported for this long, then tried again on the next request. */
const RETRY_FAILED_AFTER_MS = 5 * 60 * 1000;

/**
 * Downloads, the request side (API): an MP4 of one rung is made once per generation, by a
 * `video.download` job (worker/download.handler.ts) queued on the first request. A remux reads
 * and writes the whole rung, far too long to hold a GraphQL request, so the field answers PENDING
 * at once, as Mux's "preparing" does; the job id makes concurrent first requests one job.
 */
export class DownloadService {
  constructor(private readonly deps: { storage: Pick<ObjectStorage, 'stat'>; jobs: Pick<JobQueue, 'ensure'> }) {}

  /** Null when this viewer may not download, or the video is not READY. `height` null: the top rung. */
  async offer(video: VideoEntity, renditions: readonly RenditionEntity[], viewerId: string | null, height: number | null): Promise<DownloadOffer | null> {
    if (!canDownload(video, viewerId) || video.status !== VideoStatus.READY) return null;
    const sorted = [...renditions].sort((a, b) => b.height - a.height);
    const rung = height === null ? sorted[0] : sorted.find((r) => r.height === height);
    if (!rung) {
      if (height === null) return null;
      throw badInput(`No ${height}p rendition; available: ${sorted.map((r) => r.height).join(', ')}`, { field: 'height', available: sorted.map((r) => r.height) });
    }
    const generation = generationOf(video.id, rung.playlistKey) ?? '';
    const key = generationKey(video.id, generation, downloadPath(rung.height));
    const stat = await this.deps.storage.stat(key);
    let status: DownloadStatus = 'READY';
    if (!stat) {
      const job = await this.deps.jobs.ensure('video.download', { videoId: video.id, height: rung.height, generation }, { retryFailedAfterMs: RETRY_FAILED_AFTER_MS });
      status = job === 'failed' ? 'FAILED' : 'PENDING';
    }
    return {
      status,
      height: rung.height,
      width: rung.width,
      path: publicPathOf(video.id, key) ?? '',
      sizeBytes: stat?.size ?? null,
      filename: downloadFilename(video.title, rung.height),
      ownerOnly: !video.allowDownload,
    };
  }
}

/** `<title>-<height>p.mp4`, the title without what file systems or headers choke on. */
export function downloadFilename(title: string, height: number): string {
  const base = title
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\\/:*?"<>|]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 100)
    .trim();
  return `${base || 'video'}-${height}p.mp4`;
}
