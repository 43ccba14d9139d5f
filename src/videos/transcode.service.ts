import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../config/logger';
import type { EncodingRepository, RenditionRow } from '../db/repositories/encoding.repository';
import type { StoredImage, StoredStoryboard } from '../db/entities/video.entity';
import { buildEncodeArgs, buildPosterArgs, buildRemuxArgs, gopFrames, MASTER_PLAYLIST, DASH_MANIFEST, initName, mediaPlaylistName } from '../media/ffmpeg-args';
import { buildLadder, type Ladder } from '../media/ladder';
import { keyframesAligned, keyframeTimes } from '../media/keyframes';
import { canCopyTopRung, canRemux, planStoryboard, posterSizes, readVariants, storyboardVtt, withFrameRate } from '../media/outputs';
import type { ProbeResult } from '../media/probe';
import { publicKey, publicPrefix, sourceKey } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { ProgressReporter } from '../events/progress-reporter';
import { MediaError, probeOrFail, runMedia } from './transcode-media';
import { createWorkspace, downloadSource, removeWorkspace, uploadDir } from './transcode-files';
import { VideoStatus } from '../domain/video-status';

export interface TranscodeSettings {
  ffmpegPath: string;
  ffprobePath: string;
  preset: string;
  segmentSeconds: number;
  audioBitrate: number;
}

export interface RunContext {
  reporter: ProgressReporter;
  /** Aborts ffmpeg (job timeout). */
  signal: AbortSignal;
}

export { MediaError };

export type TranscodeOutcome = 'READY' | 'SKIPPED';

// Share of the whole job each stage covers in `percent`.
const P = { probe: 5, quick: 15, encode: 85, thumbs: 90, publish: 100 };

/**
 * The processing rules: QUEUED → PROCESSING → READY (or FAILED), a quick playable version
 * first, then the full ladder, poster and storyboard; outputs under a fresh generation folder
 * so every file name is immutable, older generations removed once the new one is published.
 */
export class TranscodeService {
  constructor(
    private readonly repo: EncodingRepository,
    private readonly storage: ObjectStorage,
    private readonly settings: TranscodeSettings,
    private readonly logger: Logger,
  ) {}

  async run(videoId: string, ctx: RunContext): Promise<TranscodeOutcome> {
    if (!(await this.repo.claim(videoId))) return 'SKIPPED'; // deleted, or in a state this job must not touch
    const started = Date.now();
    const report = (phase: 'PROBE' | 'TRANSCODE' | 'THUMBNAILS' | 'PUBLISH', percent: number, extra: { rendition?: number; playable?: boolean } = {}, force = false) =>
      ctx.reporter.report({ videoId, status: VideoStatus.PROCESSING, phase, percent, ...extra }, force);
    report('PROBE', 0);
    const gen = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const work = await createWorkspace(videoId);
    try {
      const src = path.join(work, 'source');
      if (!(await downloadSource(this.storage, sourceKey(videoId), src))) {
        throw new MediaError('The uploaded file is missing');
      }
      const info = await probeOrFail(this.settings.ffprobePath, src);
      await this.repo.saveProbe(videoId, {
        durationSeconds: info.duration,
        width: info.displayWidth,
        height: info.displayHeight,
        sourceVideoCodec: info.videoCodec,
        sourceAudioCodec: info.audioCodec,
      });
      const ladder = buildLadder({
        width: info.displayWidth,
        height: info.displayHeight,
        frameRate: info.frameRate,
        bitrate: info.videoBitrate ?? info.bitrate,
      });
      report('PROBE', P.probe);

      const quick = await this.publishQuick(videoId, gen, work, src, info, ladder, ctx);
      const firstPlayableMs = quick ? Date.now() - started : null;
      if (quick) report('TRANSCODE', P.quick, { rendition: quick, playable: true }, true);

      const out = path.join(work, 'ladder');
      await mkdir(out);
      const sb = planStoryboard(info.duration, info.displayWidth, info.displayHeight);
      const copyTopRung = await this.canCopyTopRung(src, info, ladder);
      const args = buildEncodeArgs({
        input: src,
        outDir: out,
        rungs: ladder.rungs,
        frameRate: ladder.frameRate,
        segmentSeconds: this.settings.segmentSeconds,
        audio: info.hasAudio ? { bitrate: this.settings.audioBitrate } : null,
        preset: this.settings.preset,
        storyboard: sb,
        strict: true,
        copyTopRung,
      });
      const base = quick ? P.quick : P.probe;
      await runMedia(this.settings.ffmpegPath, this.logger, args, ctx, info.duration, (pct) => report('TRANSCODE', base + ((P.encode - base) * pct) / 100));
      const master = withFrameRate(await readFile(path.join(out, MASTER_PLAYLIST), 'utf8'), ladder.frameRate);
      await writeFile(path.join(out, MASTER_PLAYLIST), master);
      const variants = readVariants(master);
      if (variants.length !== ladder.rungs.length) throw new Error(`Expected ${ladder.rungs.length} variants, got ${variants.length}`);
      for (const v of variants) report('TRANSCODE', P.encode, { rendition: v.height }, true);

      report('THUMBNAILS', P.encode, {}, true);
      const sizes = posterSizes(info.displayWidth, info.displayHeight).map((s) => ({ ...s, file: path.join(out, `poster-${s.width}x${s.height}.jpg`) }));
      await runMedia(this.settings.ffmpegPath, this.logger, buildPosterArgs({ input: src, startSeconds: info.duration * 0.1, spanSeconds: Math.max(0.2, info.duration * 0.4), sizes }), ctx, 0, () => undefined);
      await writeFile(path.join(out, 'storyboard.vtt'), storyboardVtt(sb, info.duration, 'storyboard-001.jpg'));
      report('THUMBNAILS', P.thumbs);

      report('PUBLISH', P.thumbs, {}, true);
      const key = (name: string) => publicKey(videoId, `${gen}/${name}`);
      const keys = await uploadDir(this.storage, out, key);
      const poster: StoredImage[] = sizes.map((s) => ({ key: key(path.basename(s.file)), width: s.width, height: s.height }));
      const storyboard: StoredStoryboard = {
        vttKey: key('storyboard.vtt'),
        imageKeys: keys.filter((k) => /storyboard-\d+\.jpg$/.test(k)).sort(),
        tileWidth: sb.tileWidth,
        tileHeight: sb.tileHeight,
        columns: sb.columns,
        rows: sb.rows,
        intervalSeconds: sb.intervalSeconds,
      };
      const published = await this.repo.publish(videoId, {
        status: VideoStatus.READY,
        hlsKey: key(MASTER_PLAYLIST),
        dashKey: key(DASH_MANIFEST),
        renditions: variants.map((v) => this.renditionRow(videoId, gen, v, ladder.frameRate)),
        poster,
        storyboard,
        encodingSettings: {
          generation: gen,
          videoCodec: 'h264',
          audioCodec: info.hasAudio ? 'aac' : null,
          preset: this.settings.preset,
          segmentSeconds: this.settings.segmentSeconds,
          gopFrames: gopFrames(ladder.frameRate, this.settings.segmentSeconds),
          frameRate: ladder.frameRate,
          ladder: ladder.rungs,
          topRung: copyTopRung ? 'copy' : 'encode',
          audioBitrate: info.hasAudio ? this.settings.audioBitrate : null,
          firstPlayable: quick ? (canRemux(info) ? 'remux' : 'lowest-rung') : 'none',
          firstPlayableMs,
          totalMs: Date.now() - started,
        },
      });
      if (!published) {
        await this.storage.deletePrefix(publicKey(videoId, `${gen}/`));
        return 'SKIPPED';
      }
      await this.removeOtherGenerations(videoId, gen);
      return 'READY';
    } catch (err) {
      // This attempt's unpublished files never outlive it; the caller decides about FAILED.
      await this.storage.deletePrefix(publicKey(videoId, `${gen}/`)).catch(() => undefined);
      await this.storage.deletePrefix(publicKey(videoId, `${gen}q/`)).catch(() => undefined);
      throw err;
    } finally {
      await removeWorkspace(work);
    }
  }

  /** FAILED with the reason, every public output removed (the original stays for a retry). */
  async fail(videoId: string, reason: string): Promise<boolean> {
    const changed = await this.repo.markFailed(videoId, reason);
    if (changed) await this.storage.deletePrefix(publicPrefix(videoId));
    return changed;
  }

  /**
   * Playable within seconds: stream-copy a browser-ready source, or encode only the lowest rung
   * fast, and publish it while the ladder encodes. Returns the height published, or null when the
   * full ladder is as quick (a single small rung).
   */
  private async publishQuick(videoId: string, gen: string, work: string, src: string, info: ProbeResult, ladder: Ladder, ctx: RunContext): Promise<number | null> {
    const remux = canRemux(info);
    if (!remux && ladder.rungs.length === 1) return null;
    const out = path.join(work, 'quick');
    await mkdir(out);
    const lowest = ladder.rungs[ladder.rungs.length - 1];
    const args = remux
      ? buildRemuxArgs({ input: src, outDir: out, segmentSeconds: this.settings.segmentSeconds, hasAudio: info.hasAudio })
      : buildEncodeArgs({
          input: src, outDir: out, rungs: [lowest], frameRate: ladder.frameRate, segmentSeconds: this.settings.segmentSeconds,
          audio: info.hasAudio ? { bitrate: this.settings.audioBitrate } : null, preset: 'ultrafast', storyboard: null, strict: true,
        });
    await runMedia(this.settings.ffmpegPath, this.logger, args, ctx, 0, () => undefined);
    const frameRate = remux ? info.frameRate : ladder.frameRate;
    const master = withFrameRate(await readFile(path.join(out, MASTER_PLAYLIST), 'utf8'), frameRate);
    await writeFile(path.join(out, MASTER_PLAYLIST), master);
    const folder = `${gen}q`;
    await uploadDir(this.storage, out, (name) => publicKey(videoId, `${folder}/${name}`));
    const variants = readVariants(master);
    const ok = await this.repo.publish(videoId, {
      status: VideoStatus.PROCESSING,
      hlsKey: publicKey(videoId, `${folder}/${MASTER_PLAYLIST}`),
      dashKey: publicKey(videoId, `${folder}/${DASH_MANIFEST}`),
      renditions: variants.map((v) => this.renditionRow(videoId, folder, v, frameRate)),
    });
    return ok ? (variants[0]?.height ?? null) : null;
  }

  /** Copying the source as the top rung needs its keyframes on every segment boundary (packet scan, no decode). */
  private async canCopyTopRung(src: string, info: ProbeResult, ladder: Ladder): Promise<boolean> {
    if (ladder.rungs.length < 2 || !canCopyTopRung(info, { ...ladder.rungs[0], frameRate: ladder.frameRate })) return false;
    const times = await keyframeTimes(this.settings.ffprobePath, src).catch(() => []);
    return keyframesAligned(times, info.duration, this.settings.segmentSeconds, ladder.frameRate);
  }

  private renditionRow(videoId: string, folder: string, v: ReturnType<typeof readVariants>[number], frameRate: number): RenditionRow {
    return {
      height: v.height,
      width: v.width,
      bitrate: v.bandwidth,
      codecs: v.codecs,
      frameRate,
      playlistKey: publicKey(videoId, `${folder}/${mediaPlaylistName(v.index)}`),
      initKey: publicKey(videoId, `${folder}/${initName(v.index)}`),
    };
  }

  private async removeOtherGenerations(videoId: string, gen: string): Promise<void> {
    const keep = publicKey(videoId, `${gen}/`);
    const prefix = publicPrefix(videoId);
    const folders = new Set((await this.storage.list(prefix)).filter((k) => !k.startsWith(keep)).map((k) => k.slice(prefix.length).split('/')[0]));
    for (const f of folders) await this.storage.deletePrefix(`${prefix}${f}/`);
  }
}
