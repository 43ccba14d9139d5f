import type { StoredImage, StoredStoryboard, VideoEntity } from '../db/entities/video.entity';
import type { NewVideoRow, RenditionRow, VideoColumns, VideoWriteRepository } from '../db/repositories/video-write.repository';
import { VideoEvent } from '../domain/video-event';
import { allowedSources, canTransition, VideoStatus, type Visibility } from '../domain/video-status';
import type { DeletionPublisher, ProgressPublisher } from '../events/event-bus';
import type { VideoProgress } from '../events/progress';
import { jobPercent } from '../events/progress-model';

/** What an upload learns about its source, written when it moves UPLOADING → QUEUED. */
export interface SourceFacts {
  sizeBytes: number;
  sourceSha256: string;
  durationSeconds: number;
  width: number;
  height: number;
  sourceVideoCodec: string;
  sourceAudioCodec: string | null;
}

/** What the worker's probe found, written while PROCESSING. */
export interface ProbedFacts {
  durationSeconds: number;
  width: number;
  height: number;
  sourceVideoCodec: string | null;
  sourceAudioCodec: string | null;
}

/** A playable set of outputs: manifests and ladder, plus poster and storyboard once the job is done. */
export interface Publication {
  hlsKey: string;
  dashKey: string;
  renditions: RenditionRow[];
  poster?: StoredImage[];
  storyboard?: StoredStoryboard;
  encodingSettings?: Record<string, unknown>;
}

export type { RenditionRow };

/** A progress event without what the move itself decides (the video, its new status). */
export type ProgressFields = Omit<VideoProgress, 'videoId' | 'status'>;

export type NewUpload = Omit<NewVideoRow, 'status'>;

export interface VideoDetails {
  title?: string;
  description?: string | null;
  visibility?: Visibility;
  allowDownload?: boolean;
}

/** Drops a video's cached metadata and cached whole responses in every process (cache/video-cache.ts). */
export interface CacheInvalidator {
  invalidate(...videoIds: string[]): Promise<void>;
}

/**
 * The CDN or edge cache in front of `GET /videos/<id>/…` (edge/edge-purger.ts). Never throws: a
 * purge that fails is logged, and the move stands (cached public files expire on their own).
 */
export interface EdgeCache {
  /** Drops every cached file of the video, so the next request asks the origin. */
  purgeVideo(videoId: string): Promise<unknown>;
}

/** The part of a video an event carries (its owner receives events of private videos too). */
export type EventVideo = Pick<VideoEntity, 'id' | 'ownerId' | 'title' | 'status' | 'visibility' | 'failureReason' | 'durationSeconds'>;

/**
 * Where the lifecycle reports a committed move to the outside world (app/ wires the webhook
 * service). Never throws: an event that cannot be queued is logged, and the move stands.
 */
export interface VideoEvents {
  /** Loads the video as it is now and tells whoever listens. */
  emit(event: VideoEvent, videoId: string): Promise<void>;
  /** For a row that can no longer be loaded (video.deleted). */
  emitFor(event: VideoEvent, video: EventVideo): Promise<void>;
}

const MAX_REASON = 500;

/**
 * The only writer of video rows, and so the only place a video's status changes (PeerTube's
 * lib/video-state.ts is the model). Every move is one write guarded by the current status, as
 * the status machine (domain/video-status.ts) allows; when it applies, the lifecycle itself
 * drops the cached copy in every process and then announces the new state to `videoProgress`
 * subscribers. A move the machine refuses, or that lost a race (deleted, failed meanwhile),
 * writes nothing, announces nothing and returns false.
 *
 * The moves the outside world hears about (queue → upload.completed, markReady → video.ready,
 * fail and failUpload → video.failed, delete → video.deleted) then raise that event through
 * `videoEvents`, once per applied move and never for a refused one. The moves that change what
 * the video's media routes answer (READY, which replaces any earlier version; FAILED, which
 * removes the outputs; a new poster; new manifests for changed captions; a visibility or download switch; delete) also purge the edge
 * cache, after the cache invalidation and before the progress event: a player told READY asks the
 * origin, not the edge.
 * Other side effects that belong to one move and not to a service (richer progress) hang off
 * `changed` and `announce` below.
 */
export class VideoLifecycle {
  constructor(
    private readonly deps: {
      repo: Pick<VideoWriteRepository, 'insert' | 'update' | 'delete'>;
      cache: CacheInvalidator;
      events: ProgressPublisher;
      videoEvents: VideoEvents;
      edge: EdgeCache;
      /** Tells running work (a transcode in the worker) that the video is gone, so it stops. */
      deletions: DeletionPublisher;
    },
  ) {}

  /** A new video in UPLOADING, before any byte is stored. */
  async create(row: NewUpload): Promise<VideoEntity> {
    const video = await this.deps.repo.insert({ ...row, status: VideoStatus.UPLOADING });
    await this.changed(video.id);
    return video;
  }

  /** UPLOADING → QUEUED with what the upload learnt about its source; the transcode job follows. */
  queue(id: string, facts: SourceFacts): Promise<boolean> {
    return this.move(id, VideoStatus.QUEUED, {
      from: [VideoStatus.UPLOADING],
      columns: { ...facts, uploadExpiresAt: null, failureReason: null },
      event: { phase: 'QUEUED', percent: jobPercent('QUEUED', 0), phasePercent: null, bytesReceived: facts.sizeBytes, bytesTotal: facts.sizeBytes },
      emits: VideoEvent.UPLOAD_COMPLETED,
    });
  }

  /** UPLOADING → FAILED, keeping the row to say why (a tus upload, whose URL the client holds). */
  failUpload(id: string, reason: string): Promise<boolean> {
    const failureReason = reason.slice(0, MAX_REASON);
    return this.move(id, VideoStatus.FAILED, {
      from: [VideoStatus.UPLOADING],
      columns: { failureReason, uploadExpiresAt: null },
      event: { phase: 'UPLOAD', percent: 0, message: failureReason },
      emits: VideoEvent.VIDEO_FAILED,
    });
  }

  /** UPLOADING → gone: an upload that never finished and leaves no row behind. */
  async discardUpload(id: string, reason: string): Promise<boolean> {
    if (!(await this.deps.repo.delete(id, { from: [VideoStatus.UPLOADING] }))) return false;
    await this.changed(id);
    this.announce({ videoId: id, status: VideoStatus.FAILED, phase: 'UPLOAD', percent: 0, message: reason.slice(0, MAX_REASON) });
    return true;
  }

  /**
   * The worker takes the video: → PROCESSING from QUEUED, from READY (re-encode) or PROCESSING (a
   * retried job). `progress` is what the attempt announces (PROBE, or RETRY after a lost attempt).
   */
  claim(id: string, progress: ProgressFields = { phase: 'PROBE', percent: jobPercent('PROBE', 0), phasePercent: 0 }): Promise<boolean> {
    return this.move(id, VideoStatus.PROCESSING, { columns: { failureReason: null }, event: progress });
  }

  /** While PROCESSING: what the probe found (duration, picture size, codecs). */
  recordProbe(id: string, facts: ProbedFacts): Promise<boolean> {
    return this.move(id, VideoStatus.PROCESSING, { from: [VideoStatus.PROCESSING], columns: facts });
  }

  /** While PROCESSING: a first playable version, published while the full ladder encodes. */
  publishPlayable(id: string, pub: Publication, progress: Omit<ProgressFields, 'phase'> & { rendition: number | null }): Promise<boolean> {
    return this.move(id, VideoStatus.PROCESSING, {
      from: [VideoStatus.PROCESSING],
      columns: { hlsKey: pub.hlsKey, dashKey: pub.dashKey },
      renditions: pub.renditions,
      // No edge purge: file names carry the generation, and the version this one replaces stays
      // at the origin until markReady removes it (and purges).
      event: { phase: 'TRANSCODE', ...progress, playable: true },
    });
  }

  /** PROCESSING → READY with the full publication. */
  markReady(id: string, pub: Publication): Promise<boolean> {
    return this.move(id, VideoStatus.READY, {
      columns: {
        hlsKey: pub.hlsKey,
        dashKey: pub.dashKey,
        ...(pub.poster ? { poster: pub.poster } : {}),
        ...(pub.storyboard ? { storyboard: pub.storyboard } : {}),
        ...(pub.encodingSettings ? { encodingSettings: pub.encodingSettings } : {}),
        readyAt: new Date(),
        failureReason: null,
      },
      renditions: pub.renditions,
      event: { phase: 'DONE', percent: 100, phasePercent: 100, etaSeconds: 0, playable: true },
      emits: VideoEvent.VIDEO_READY,
      media: true,
    });
  }

  /** → FAILED with the reason, and nothing playable left pointing at outputs about to be deleted. */
  fail(id: string, reason: string): Promise<boolean> {
    const failureReason = reason.slice(0, MAX_REASON);
    return this.move(id, VideoStatus.FAILED, {
      columns: { failureReason, hlsKey: null, dashKey: null, poster: null, storyboard: null },
      renditions: [],
      event: { phase: 'DONE', percent: 100, message: failureReason, playable: false },
      emits: VideoEvent.VIDEO_FAILED,
      media: true,
    });
  }

  /**
   * The owner's edits, in any status: no move, but every reader must see them at once. A
   * visibility or download switch in the patch changes who may fetch the media (PRIVATE: nobody
   * without a signed URL; downloads off: the owner only), so the edge must forget them; a title
   * does not. It purges even when the value looks unchanged: compared with a row read before the
   * write, a concurrent edit could hide a change.
   */
  async edit(id: string, details: VideoDetails): Promise<void> {
    if (Object.keys(details).length) await this.deps.repo.update(id, details);
    await this.changed(id, details.visibility !== undefined || details.allowDownload !== undefined);
  }

  /**
   * A READY video's new poster, written only while the generation the poster was made from (the
   * folder of `published`, its HLS manifest when read) is still the published one: a re-encode in
   * between brings its own poster, and this one, made from a generation about to be removed, must
   * not replace it. A caption change in between only gives that generation new manifest names, so
   * it does not refuse the poster. No status move.
   */
  async setPoster(id: string, poster: StoredImage[], guard: { published: string }): Promise<boolean> {
    const generation = guard.published.slice(0, guard.published.lastIndexOf('/') + 1);
    if (!generation || !(await this.deps.repo.update(id, { poster }, { from: [VideoStatus.READY], hlsKeyIn: generation }))) return false;
    // The replaced poster files are removed next: the edge must not keep serving them.
    await this.changed(id, true);
    return true;
  }

  /**
   * A published video's manifests, rewritten because its caption tracks changed (caption-publisher.ts):
   * written only while `published` is still the HLS manifest the new ones were made from, so two
   * changes at once cannot lose each other's tracks (the loser makes them again), and a re-encode
   * published meanwhile is never replaced by manifests of the generation it removes. No status move.
   */
  async setManifests(id: string, keys: { hlsKey: string; dashKey: string }, guard: { published: string }): Promise<boolean> {
    const from = [VideoStatus.PROCESSING, VideoStatus.READY];
    if (!(await this.deps.repo.update(id, keys, { from, match: { hlsKey: guard.published } }))) return false;
    // Players must get the new manifests, and removed tracks' files are deleted next.
    await this.changed(id, true);
    return true;
  }

  /**
   * A settled video's original, copied to a new key (storage layout change, source-relocation.ts):
   * written only while the row is READY or FAILED (nothing reads the original meanwhile) and still
   * records `from`. No status move, nothing delivered changes.
   */
  async relocateSource(id: string, keys: { from: string; to: string }): Promise<boolean> {
    const settled = [VideoStatus.READY, VideoStatus.FAILED];
    if (!(await this.deps.repo.update(id, { sourceKey: keys.to }, { from: settled, match: { sourceKey: keys.from } }))) return false;
    await this.changed(id);
    return true;
  }

  /**
   * Gone, from any status (its renditions and watch history go with the row). `video` is the row
   * as the caller read it (the owner check), which video.deleted carries: afterwards it cannot be
   * loaded. Progress subscribers get no event: the contract has no status for a deleted video,
   * and a deleted video cannot be followed.
   */
  async delete(video: EventVideo): Promise<boolean> {
    if (!(await this.deps.repo.delete(video.id))) return false;
    this.deps.deletions.announceDeleted(video.id);
    await this.changed(video.id, true);
    await this.deps.videoEvents.emitFor(VideoEvent.VIDEO_DELETED, video);
    return true;
  }

  /**
   * One guarded write to status `to`: from the statuses the machine allows (or the narrower
   * `from` a move gives), then invalidation, then the progress event, then the outside event.
   */
  private async move(
    id: string,
    to: VideoStatus,
    move: {
      from?: VideoStatus[];
      columns: VideoColumns;
      renditions?: RenditionRow[];
      /** The progress event subscribers get. */
      event?: ProgressFields;
      /** The event the outside world gets (webhooks). */
      emits?: VideoEvent;
      /** What GET /videos/<id>/… answers changes: purge the edge cache. */
      media?: boolean;
    },
  ): Promise<boolean> {
    const from = move.from ?? allowedSources(to);
    const illegal = from.filter((f) => !canTransition(f, to));
    if (illegal.length) throw new Error(`The status machine forbids ${illegal.join(', ')} → ${to}`);
    if (!(await this.deps.repo.update(id, { ...move.columns, status: to }, { from, renditions: move.renditions }))) return false;
    await this.changed(id, move.media);
    if (move.event) this.announce({ videoId: id, status: to, ...move.event });
    if (move.emits) await this.deps.videoEvents.emit(move.emits, id);
    return true;
  }

  /**
   * After every committed write: readers in every process drop what they hold; when the video's
   * media answer differently (`media`), so does the edge cache in front of them.
   */
  private async changed(id: string, media = false): Promise<void> {
    await this.deps.cache.invalidate(id);
    if (media) await this.deps.edge.purgeVideo(id);
  }

  private announce(event: VideoProgress): void {
    void this.deps.events.publish(event);
  }
}
