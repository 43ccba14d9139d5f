import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../config/logger';
import type { RenditionEntity, VideoEntity } from '../db/entities';
import type { StoredImage } from '../db/entities/video.entity';
import { VideoStatus } from '../domain/video-status';
import { AppError, badInput } from '../errors';
import { buildImageArgs, type StillFormat, type StillOutput } from '../media/derived-args';
import { FfmpegError } from '../media/ffmpeg-runner';
import { contentTypeOf } from '../media/file-types';
import type { MediaTools } from '../media/media-tools';
import { posterSizes } from '../media/outputs';
import { ProbeError } from '../media/probe';
import { generationKey, generationOf, posterSetPath } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { withTempDir } from '../utils/temp-dir';
import type { FrameGrabber } from './frame-grabber';
import { UploadMeter } from './upload-meter';
import type { VideoLifecycle } from './video-lifecycle';

export interface PosterLimits {
  /** Bytes of an uploaded image. */
  maxBytes: number;
  /** Pixels per side of an uploaded image (decoding a huge one would cost the API its memory). */
  maxDimension: number;
}

export interface PosterDeps {
  lifecycle: Pick<VideoLifecycle, 'setPoster'>;
  storage: ObjectStorage;
  tools: Pick<MediaTools, 'run' | 'probeImage' | 'hasEncoder'>;
  grabber: Pick<FrameGrabber, 'grab'>;
  limits: PosterLimits;
  logger: Logger;
}

const MIN_DIMENSION = 16;
/** Poster sets older than this and no longer referenced are leftovers of an interrupted or concurrent change. */
const SWEEP_AFTER_MS = 10 * 60 * 1000;

type Size = { width: number; height: number };

/**
 * The poster rules: a READY video's poster is re-picked from a time of its top rung, or made from
 * an image the owner uploads (JPEG, PNG or WebP, recognised by decoding, never by its name),
 * always in the transcode's two poster sizes, as JPEG and (when this ffmpeg has libwebp) WebP.
 * Each change is a new set of immutable objects inside the published generation; the lifecycle
 * writes it (guarded by that generation), then the replaced objects are removed.
 * Ownership is checked by the caller (VideoEditService).
 */
export class PosterService {
  constructor(private readonly deps: PosterDeps) {}

  async fromTime(video: VideoEntity, renditions: readonly RenditionEntity[], time: number): Promise<void> {
    if (!Number.isFinite(time) || time < 0) throw badInput('`posterTimeSeconds` must be a time within the video', { field: 'posterTimeSeconds' });
    const top = this.topRung(video, renditions);
    const at = Math.min(time, video.durationSeconds ?? time);
    await withTempDir('vp-poster-', async (dir) => {
      const outputs = await this.outputs(dir, posterSizes(top.width, top.height));
      await this.deps.grabber.grab(top, at, outputs);
      await this.publish(video, top, outputs);
    });
  }

  async fromImage(video: VideoEntity, renditions: readonly RenditionEntity[], body: Readable): Promise<void> {
    const top = this.topRung(video, renditions);
    const { maxBytes, maxDimension } = this.deps.limits;
    await withTempDir('vp-poster-', async (dir) => {
      // No extension: ffprobe must recognise the bytes, not a name.
      const file = path.join(dir, 'upload');
      const meter = new UploadMeter(maxBytes);
      await pipeline(body, meter, createWriteStream(file));
      if (meter.bytes === 0) throw badInput('The file is empty', { field: 'file' });
      const image = await this.deps.tools.probeImage(file).catch((err: unknown) => {
        throw err instanceof ProbeError ? unsupported() : err;
      });
      if (Math.max(image.width, image.height) > maxDimension) {
        throw new AppError('PAYLOAD_TOO_LARGE', `The image is ${image.width}x${image.height}; at most ${maxDimension} pixels per side are accepted`, { maxDimension });
      }
      if (Math.min(image.width, image.height) < MIN_DIMENSION) throw badInput(`The image must be at least ${MIN_DIMENSION} pixels per side`, { field: 'file' });
      const outputs = await this.outputs(dir, posterSizes(image.width, image.height));
      await this.deps.tools.run(buildImageArgs({ input: file, demuxer: image.demuxer, outputs })).catch((err: unknown) => {
        throw err instanceof FfmpegError && !err.aborted ? unsupported('The image is damaged or cannot be decoded') : err;
      });
      await this.publish(video, top, outputs);
    });
  }

  /** Posters belong to a published ladder: a READY video's top rung. */
  private topRung(video: VideoEntity, renditions: readonly RenditionEntity[]): RenditionEntity {
    const top = [...renditions].sort((a, b) => b.height - a.height)[0];
    if (video.status !== VideoStatus.READY || !top || !video.hlsKey) {
      throw badInput('The poster can be changed once the video is READY', { status: video.status });
    }
    return top;
  }

  private async outputs(dir: string, sizes: Size[]): Promise<StillOutput[]> {
    const formats: StillFormat[] = (await this.deps.tools.hasEncoder('libwebp')) ? ['jpeg', 'webp'] : ['jpeg'];
    return sizes.flatMap((s) => formats.map((format) => ({ ...s, format, file: path.join(dir, fileName(s, format)) })));
  }

  /**
   * Stores the new set, then has the lifecycle write it while the generation it was made from is
   * still the published one; only then are the replaced objects removed. A lost race (re-encoded
   * or deleted meanwhile) removes the new set instead.
   */
  private async publish(video: VideoEntity, top: RenditionEntity, outputs: StillOutput[]): Promise<void> {
    const { storage, lifecycle } = this.deps;
    const generation = generationOf(video.id, top.playlistKey) ?? '';
    const set = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const keyOf = (name: string) => generationKey(video.id, generation, posterSetPath(set, name));
    for (const o of outputs) await storage.put(keyOf(path.basename(o.file)), createReadStream(o.file), { contentType: contentTypeOf(o.file) });
    const poster = outputs
      .filter((o) => o.format === 'jpeg')
      .sort((a, b) => b.width - a.width)
      .map((o): StoredImage => {
        const webp = outputs.find((w) => w.format === 'webp' && w.width === o.width);
        return { key: keyOf(path.basename(o.file)), width: o.width, height: o.height, ...(webp ? { webpKey: keyOf(path.basename(webp.file)) } : {}) };
      });
    const replaced = video.poster ?? [];
    const setFolder = generationKey(video.id, generation, posterSetPath(set, ''));
    if (!(await lifecycle.setPoster(video.id, poster, { published: video.hlsKey ?? '' }))) {
      await storage.deletePrefix(setFolder);
      throw badInput('The video changed while its poster was being made (re-processed or deleted); try again');
    }
    await this.removeReplaced(video.id, generation, replaced, set).catch((err: unknown) =>
      this.deps.logger.warn({ err, videoId: video.id }, 'could not remove replaced poster files; they go with their generation'),
    );
  }

  /** The replaced files, and any poster set left unreferenced by an interrupted or concurrent change. */
  private async removeReplaced(videoId: string, generation: string, replaced: readonly StoredImage[], current: string): Promise<void> {
    const { storage } = this.deps;
    for (const p of replaced) {
      await storage.delete(p.key);
      if (p.webpKey) await storage.delete(p.webpKey);
    }
    const root = generationKey(videoId, generation, 'posters/');
    const sets = new Set((await storage.list(root)).map((k) => k.slice(root.length).split('/')[0] ?? ''));
    for (const s of sets) {
      const made = parseInt(s.split('-')[0] ?? '', 36);
      if (s && s !== current && Date.now() - made > SWEEP_AFTER_MS) await storage.deletePrefix(`${root}${s}/`);
    }
  }
}

function fileName(size: Size, format: StillFormat): string {
  return `${size.width}x${size.height}.${format === 'webp' ? 'webp' : 'jpg'}`;
}

function unsupported(message = 'The file is not a JPEG, PNG or WebP image'): AppError {
  return new AppError('UNSUPPORTED_MEDIA', message);
}
