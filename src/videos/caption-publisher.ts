import path from 'node:path/posix';
import { Readable } from 'node:stream';
import type { Logger } from '../config/logger';
import type { CaptionEntity } from '../db/entities';
import type { CaptionRepository } from '../db/repositories/caption.repository';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import { captionMediaPlaylist, hlsMasterWithCaptions, mpdWithCaptions, type CaptionTrack } from '../media/caption-manifests';
import { DASH_MANIFEST, MASTER_PLAYLIST } from '../media/ffmpeg-args';
import { contentTypeOf } from '../media/file-types';
import { unguessableName } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { VideoLifecycle } from './video-lifecycle';

export interface CaptionPublisherDeps {
  videos: Pick<VideoRepository, 'findById'>;
  captions: Pick<CaptionRepository, 'forVideos'>;
  storage: ObjectStorage;
  lifecycle: Pick<VideoLifecycle, 'setManifests' | 'edit'>;
  logger: Logger;
}

/** Concurrent changes each retry after losing the race; more than this means something else is wrong. */
const MAX_ATTEMPTS = 5;
/** Replaced revisions stay this long for players that loaded them just before (then swept by a later change or with their generation). */
const SWEEP_AFTER_MS = 10 * 60 * 1000;
const REVISION_FILE = /^(?:master|manifest|subs)-([0-9a-z]+)[-.]/;
/** The random part of a revision name (unguessableName: time in base 36, then 128 bits in hex). */
const RANDOM_CHARS = 32;

/** switched: new manifests are published (the lifecycle invalidated and purged); unchanged: they already matched. */
type Outcome = 'switched' | 'unchanged' | 'lost';

/**
 * Keeps a published video's manifests in step with its caption tracks. The manifests the
 * transcode wrote (`<gen>/master.m3u8`, `<gen>/manifest.mpd`) are never changed: with tracks, a
 * new revision of both (and one WebVTT media playlist per track) is written beside them under new
 * names, and the lifecycle switches the video to it, guarded by the manifest it was made from;
 * without tracks, the video goes back to the transcode's own. Whoever loses a race to another
 * change starts again from what is published then, so the last switch always reflects every
 * committed track (a change commits its row before it refreshes). The lifecycle invalidates the
 * metadata cache and purges the edge with each switch.
 *
 * Called after every caption change (API), and by the transcode after it publishes a version
 * (worker), so videos get their tracks whenever they were added.
 */
export class CaptionPublisher {
  constructor(private readonly deps: CaptionPublisherDeps) {}

  async refresh(videoId: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const video = await this.deps.videos.findById(videoId);
      if (!video) return;
      // Nothing published yet (the transcode refreshes once it publishes), or nothing to rewrite:
      // readers still drop what they cached of the video (its track list), as after any edit.
      const published = video.hlsKey && video.dashKey && (video.status === VideoStatus.READY || video.status === VideoStatus.PROCESSING);
      const outcome = published ? await this.publish(videoId, video.hlsKey!, video.dashKey!, video.durationSeconds ?? 0) : 'unchanged';
      if (outcome === 'unchanged') await this.deps.lifecycle.edit(videoId, {});
      if (outcome !== 'lost') return;
    }
    this.deps.logger.warn({ videoId }, 'caption manifests: gave up after repeated concurrent changes');
  }

  private async publish(videoId: string, hlsKey: string, dashKey: string, duration: number): Promise<Outcome> {
    const { storage, lifecycle } = this.deps;
    const folder = path.dirname(hlsKey);
    const base = { hlsKey: `${folder}/${MASTER_PLAYLIST}`, dashKey: `${path.dirname(dashKey)}/${DASH_MANIFEST}` };
    const captions = await this.deps.captions.forVideos([videoId]);
    if (!captions.length) {
      if (hlsKey === base.hlsKey && dashKey === base.dashKey) return 'unchanged';
      if (!(await lifecycle.setManifests(videoId, base, { published: hlsKey }))) return 'lost';
      await this.sweep(folder, null);
      return 'switched';
    }

    // Unguessable like every name of a private video's files (storage/keys.ts), and sortable by time.
    const rev = unguessableName();
    const tracks = captions.map((c) => this.track(c, folder, rev));
    const written: string[] = [];
    const write = async (key: string, text: string) => {
      await storage.put(key, Readable.from([Buffer.from(text, 'utf8')]), { contentType: contentTypeOf(key) });
      written.push(key);
    };
    const next = { hlsKey: `${folder}/master-${rev}.m3u8`, dashKey: `${path.dirname(base.dashKey)}/manifest-${rev}.mpd` };
    try {
      const [master, mpd] = await Promise.all([this.read(base.hlsKey), this.read(base.dashKey)]);
      // Playlists before the manifests that name them.
      for (const t of tracks) await write(`${folder}/${t.playlistUri}`, captionMediaPlaylist(duration, t.fileUri));
      await write(next.hlsKey, hlsMasterWithCaptions(master, tracks));
      await write(next.dashKey, mpdWithCaptions(mpd, tracks));
      if (!(await lifecycle.setManifests(videoId, next, { published: hlsKey }))) {
        await this.remove(written);
        return 'lost';
      }
    } catch (err) {
      await this.remove(written);
      throw err;
    }
    await this.sweep(folder, rev);
    return 'switched';
  }

  /** A track as the manifests in `folder` name it: its playlist beside them, its file by a relative path. */
  private track(c: CaptionEntity, folder: string, rev: string): CaptionTrack {
    return {
      language: c.language,
      label: c.label,
      kind: c.kind,
      playlistUri: `subs-${rev}-${c.language}.m3u8`,
      fileUri: path.relative(folder, c.fileKey),
    };
  }

  private async read(key: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.deps.storage.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) await this.deps.storage.delete(k).catch(() => undefined);
  }

  /** Revisions other than the current one, made long enough ago that no player still starts from them. */
  private async sweep(folder: string, current: string | null): Promise<void> {
    try {
      const old = (await this.deps.storage.list(`${folder}/`)).filter((key) => {
        const rev = REVISION_FILE.exec(key.slice(folder.length + 1))?.[1];
        return rev !== undefined && rev !== current && Date.now() - parseInt(rev.slice(0, -RANDOM_CHARS), 36) > SWEEP_AFTER_MS;
      });
      await this.remove(old);
    } catch (err) {
      this.deps.logger.warn({ err, folder }, 'caption manifests: could not sweep old revisions; they go with their generation');
    }
  }
}
