import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { RenditionEntity, VideoEntity } from '../db/entities';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import type { JobPayloads } from '../jobs/job-types';
import { buildMp4Args } from '../media/derived-args';
import type { MediaTools } from '../media/media-tools';
import { downloadPath, generationKey, generationOf } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { withTempDir } from '../utils/temp-dir';
import { concatObjects, readStoredAudio, readStoredRung } from '../videos/stored-rung';

export type DownloadJob = JobPayloads['video.download'];
export type BuildOutcome = 'made' | 'exists' | 'skipped';

/**
 * Downloads, the making side (worker): the rung's init and media segments and the audio's, each
 * streamed from storage into ffmpeg as one fragmented MP4, remuxed without re-encoding into a
 * fast-start MP4 (a temp file: moving the index to the front needs a seekable output), stored
 * under the generation. Reads the database directly, never the cache: it decides what to write.
 */
export class DownloadBuilder {
  constructor(private readonly deps: { videos: Pick<VideoRepository, 'findById' | 'renditionsFor'>; storage: ObjectStorage; tools: Pick<MediaTools, 'run'> }) {}

  async build(job: DownloadJob, signal?: AbortSignal): Promise<BuildOutcome> {
    const { storage, tools } = this.deps;
    const current = await this.current(job);
    if (!current) return 'skipped';
    const key = generationKey(job.videoId, job.generation, downloadPath(job.height));
    if (await storage.stat(key)) return 'exists';
    const video = await readStoredRung(storage, current.rung.playlistKey);
    const audio = current.video.hlsKey ? await readStoredAudio(storage, current.video.hlsKey) : null;
    await withTempDir('vp-download-', async (dir) => {
      const output = path.join(dir, 'download.mp4');
      const inputs = [video, ...(audio ? [audio] : [])].map((r) => concatObjects(storage, [r.initKey, ...r.segments.map((s) => s.key)]));
      await tools.run(buildMp4Args({ hasAudio: !!audio, output }), { inputs, signal });
      await storage.put(key, createReadStream(output), { contentType: 'video/mp4' });
    });
    // Re-encoded or deleted meanwhile: that removal may have run before this put; the file must not outlive its generation.
    if (!(await this.current(job))) {
      await storage.delete(key);
      return 'skipped';
    }
    return 'made';
  }

  /** The video and rung the job is for, while they are still READY in that generation. */
  private async current(job: DownloadJob): Promise<{ video: VideoEntity; rung: RenditionEntity } | null> {
    const video = await this.deps.videos.findById(job.videoId);
    if (!video || video.status !== VideoStatus.READY) return null;
    const rung = (await this.deps.videos.renditionsFor([job.videoId])).find((r) => r.height === job.height);
    if (!rung || generationOf(job.videoId, rung.playlistKey) !== job.generation) return null;
    return { video, rung };
  }
}
