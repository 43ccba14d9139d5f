import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Logger } from '../config/logger';
import type { VideoEntity } from '../db/entities';
import type { CaptionRepository } from '../db/repositories/caption.repository';
import type { CaptionKind } from '../domain/caption-kind';
import { VideoStatus } from '../domain/video-status';
import { AppError, badInput, notFound } from '../errors';
import { CaptionFileError, toWebVtt } from '../media/caption-file';
import { contentTypeOf } from '../media/file-types';
import { captionKey, unguessableName } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { CaptionPublisher } from './caption-publisher';
import { canonicalLanguage, checkKind, cleanLabel } from './caption-rules';
import { UploadMeter } from './upload-meter';

export interface CaptionInput {
  language: string;
  label: string;
  kind: CaptionKind;
}

export interface CaptionDeps {
  repo: Pick<CaptionRepository, 'put' | 'remove'>;
  storage: ObjectStorage;
  publisher: Pick<CaptionPublisher, 'refresh'>;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  logger: Logger;
}

/** Tracks per video: every one is a rendition in the master playlist and an AdaptationSet in the MPD. */
export const MAX_TRACKS = 20;

/**
 * The caption rules: a track per language, from a WebVTT or SRT file that is validated and stored
 * as canonical WebVTT (media/caption-file.ts) under the video's storage prefix, a new name each
 * time; then the manifests are rewritten (CaptionPublisher, through the lifecycle). A file that
 * is refused leaves nothing stored. Ownership is checked by the caller (VideoEditService).
 */
export class CaptionService {
  constructor(private readonly deps: CaptionDeps) {}

  async add(video: VideoEntity, input: CaptionInput, openFile: () => Promise<Readable>): Promise<void> {
    if (video.status === VideoStatus.UPLOADING || video.status === VideoStatus.FAILED) {
      throw badInput('Captions can be added once the upload is complete, and not to a video that failed', { status: video.status });
    }
    const language = canonicalLanguage(input.language);
    const label = cleanLabel(input.label);
    const kind = checkKind(input.kind);
    const file = this.convert(await this.read(await openFile()));

    const { storage, repo } = this.deps;
    const key = captionKey(video.id, `${language}-${unguessableName()}.vtt`);
    await storage.put(key, Readable.from([Buffer.from(file.vtt, 'utf8')]), { contentType: contentTypeOf(key) });
    let outcome: Awaited<ReturnType<CaptionDeps['repo']['put']>>;
    try {
      outcome = await repo.put({ id: randomUUID(), videoId: video.id, language, label, kind, fileKey: key, cueCount: file.cues }, MAX_TRACKS);
    } catch (err) {
      await storage.delete(key).catch(() => undefined);
      throw err;
    }
    if (outcome === 'too-many' || outcome === 'gone') {
      await storage.delete(key).catch(() => undefined);
      if (outcome === 'gone') throw notFound();
      throw badInput(`A video has at most ${MAX_TRACKS} caption tracks; remove one first`, { maxTracks: MAX_TRACKS });
    }
    await this.deps.publisher.refresh(video.id);
    if (outcome.replaced) await this.removeFile(video.id, outcome.replaced);
  }

  async remove(video: VideoEntity, rawLanguage: string): Promise<void> {
    const language = canonicalLanguage(rawLanguage);
    const fileKey = await this.deps.repo.remove(video.id, language);
    if (!fileKey) throw notFound('Caption');
    await this.deps.publisher.refresh(video.id);
    await this.removeFile(video.id, fileKey);
  }

  /** The whole file, in memory (it is small: the limit is checked as it streams in). */
  private async read(body: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await pipeline(
      body,
      new UploadMeter(this.deps.maxBytes),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
    );
    const bytes = Buffer.concat(chunks);
    if (!bytes.length) throw badInput('The file is empty', { field: 'file' });
    return bytes;
  }

  private convert(bytes: Buffer): ReturnType<typeof toWebVtt> {
    try {
      return toWebVtt(bytes);
    } catch (err) {
      if (!(err instanceof CaptionFileError)) throw err;
      if (err.kind === 'unrecognised') throw new AppError('UNSUPPORTED_MEDIA', `${err.message}; captions must be WebVTT or SRT, UTF-8`);
      throw badInput(err.message, { field: 'file', problems: err.problems });
    }
  }

  /** A replaced or removed track's file: after the manifests stopped naming it, so no player is sent to it. */
  private async removeFile(videoId: string, key: string): Promise<void> {
    await this.deps.storage.delete(key).catch((err: unknown) =>
      this.deps.logger.warn({ err, videoId, key }, 'could not remove a caption file; it goes with the video'),
    );
  }
}
