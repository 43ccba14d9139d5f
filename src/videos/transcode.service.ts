import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../config/logger';
import type { StoredImage, StoredStoryboard } from '../db/entities/video.entity';
import type { VideoRepository } from '../db/repositories/video.repository';
import { VideoStatus } from '../domain/video-status';
import type { ProgressReporter } from '../events/progress-reporter';
import type { ProgressPhase, VideoProgress } from '../events/progress';
import { QUICK_SHARE, RESTART_PHASE, round1, THUMBNAIL_STEPS, type JobProgress, type ThumbnailStep } from '../events/progress-model';
import { buildEncodeArgs, buildPosterArgs, buildRemuxArgs, buildStoryboardSheetArgs, DASH_MANIFEST, gopFrames, initName, MASTER_PLAYLIST, mediaPlaylistName } from '../media/ffmpeg-args';
import { FfmpegError } from '../media/ffmpeg-runner';
import { keyframesAligned } from '../media/keyframes';
import { buildLadder, type Ladder, type RateControl } from '../media/ladder';
import { checkMedia, MediaError } from '../media/media-policy';
import type { MediaTools } from '../media/media-tools';
import { canCopyTopRung, canRemux, planStoryboard, posterSizes, readVariants, storyboardVtt, withFrameRate, type VariantInfo } from '../media/outputs';
import type { ProbeResult } from '../media/probe';
import { percentOf, type FfmpegProgress } from '../media/progress-parser';
import { CAPTIONS_FOLDER, publicKey, publicPrefix, sourceKeyOf, unguessableName } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import type { CaptionPublisher } from './caption-publisher';
import { createWorkspace, downloadSource, removeWorkspace, uploadDir } from './transcode-files';
import { advertiseMeasuredBandwidth } from './measured-bandwidth';
import type { RenditionRow, VideoLifecycle } from './video-lifecycle';

export { MediaError };

/** The lifecycle refused a write of this attempt: the video was deleted or left PROCESSING meanwhile. */
export class VideoGoneError extends Error {
  constructor(videoId: string) {
    super(`video ${videoId} is no longer processing`);
    this.name = 'VideoGoneError';
  }
}

export interface TranscodeSettings {
  preset: string;
  segmentSeconds: number;
  audioBitrate: number;
  rateControl: RateControl;
}

export interface RunContext {
  reporter: ProgressReporter;
  /** This attempt's whole-job percent and ETA (where it starts, after a restart). */
  progress: JobProgress;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborts ffmpeg and the run (job timeout, the video deleted, worker shutdown). */
  signal: AbortSignal;
}

export type TranscodeOutcome = 'READY' | 'SKIPPED';

export interface TranscodeDeps {
  lifecycle: Pick<VideoLifecycle, 'claim' | 'recordProbe' | 'publishPlayable' | 'markReady' | 'fail'>;
  /** The row says where the original is (rows from before `sources/` keep the old key). */
  videos: Pick<VideoRepository, 'findById'>;
  storage: ObjectStorage;
  tools: MediaTools;
  /** Puts the video's caption tracks into each version it publishes (the transcode writes manifests without them). */
  captions: Pick<CaptionPublisher, 'refresh'>;
  settings: TranscodeSettings;
  logger: Logger;
}

/** One attempt at one video: what every stage reads and adds to. */
interface Attempt {
  videoId: string;
  ctx: RunContext;
  started: number;
  /** Outputs go under a fresh generation folder, so every file name is immutable. */
  gen: string;
  work: string;
  src: string;
  playable: boolean;
}

interface Source {
  info: ProbeResult;
  ladder: Ladder;
}

interface Quick {
  height: number | null;
  remux: boolean;
  ms: number;
}

interface Encoded {
  out: string;
  variants: VariantInfo[];
  storyboard: ReturnType<typeof planStoryboard> & { framesDir: string };
  copyTopRung: boolean;
}

type Poster = { width: number; height: number; file: string }[];

/**
 * The processing rules, as named stages: probe, a quick playable version, the full ladder,
 * thumbnails, publish. Every status write (claim, playable, READY, FAILED) goes through the
 * video lifecycle, which also announces it; the stages report progress in between. Older
 * generations are removed once the new one is published.
 */
export class TranscodeService {
  constructor(private readonly deps: TranscodeDeps) {}

  async run(videoId: string, ctx: RunContext): Promise<TranscodeOutcome> {
    if (!(await this.deps.lifecycle.claim(videoId, this.claimEvent(ctx)))) return 'SKIPPED'; // deleted, or in a state this job must not touch
    const work = await createWorkspace(videoId);
    const a: Attempt = { videoId, ctx, started: Date.now(), gen: unguessableName(), work, src: path.join(work, 'source'), playable: false };
    try {
      const source = await this.probe(a);
      const quick = await this.quickPlayable(a, source);
      const encoded = await this.encodeLadder(a, source, quick);
      const poster = await this.thumbnails(a, source, encoded);
      return await this.publish(a, source, quick, encoded, poster);
    } catch (err) {
      // This attempt's unpublished files never outlive it; the caller decides about FAILED.
      await this.deps.storage.deletePrefix(publicKey(videoId, `${a.gen}/`)).catch(() => undefined);
      await this.deps.storage.deletePrefix(publicKey(videoId, `${a.gen}q/`)).catch(() => undefined);
      throw err;
    } finally {
      // Whatever follows (FAILED from the caller) is announced after every progress event of this attempt.
      ctx.reporter.close();
      await ctx.reporter.flush();
      await removeWorkspace(work);
    }
  }

  /** What taking the video announces: PROBE, or RETRY (with where it restarts) after a lost or failed attempt. */
  private claimEvent({ progress, attempt }: RunContext): Omit<VideoProgress, 'videoId' | 'status'> {
    const { floor, restarted, reset } = progress.start;
    if (restarted) {
      return { phase: 'RETRY', percent: floor, phasePercent: null, attempt, restartPhase: RESTART_PHASE, message: `Attempt ${attempt} starts again from ${RESTART_PHASE}` };
    }
    return { phase: 'PROBE', percent: progress.percent('PROBE', 0), phasePercent: 0, attempt, ...(reset ? { reset: true } : {}) };
  }

  /** FAILED with the reason (announced by the lifecycle), every public output removed; the original and the caption tracks stay for a retry. */
  async fail(videoId: string, reason: string): Promise<boolean> {
    const changed = await this.deps.lifecycle.fail(videoId, reason);
    if (changed) await this.removeOtherGenerations(videoId, null);
    return changed;
  }

  /** Stage 1: the source on local disk, probed and accepted by the media policy; its ladder. */
  private async probe(a: Attempt): Promise<Source> {
    // From here on the reporter's heartbeat covers the source download and the probe.
    this.report(a, 'PROBE', 0, {}, true);
    const row = await this.deps.videos.findById(a.videoId);
    if (!row) throw new VideoGoneError(a.videoId);
    if (!(await downloadSource(this.deps.storage, sourceKeyOf(row), a.src))) throw new MediaError('The uploaded file is missing');
    let info: ProbeResult;
    try {
      info = await this.deps.tools.probe(a.src);
    } catch {
      throw new MediaError('Unsupported media: the file is not a video we can read');
    }
    const verdict = checkMedia(info);
    if (!verdict.ok) throw new MediaError(verdict.reason);
    await this.deps.lifecycle.recordProbe(a.videoId, {
      durationSeconds: info.duration,
      width: info.displayWidth,
      height: info.displayHeight,
      sourceVideoCodec: info.videoCodec,
      sourceAudioCodec: info.audioCodec,
    });
    const ladder = buildLadder({ width: info.displayWidth, height: info.displayHeight, frameRate: info.frameRate, bitrate: info.videoBitrate ?? info.bitrate });
    this.report(a, 'PROBE', 100);
    return { info, ladder };
  }

  /**
   * Stage 2, playable within seconds: stream-copy a browser-ready source, or encode only the lowest
   * rung fast, and publish it while the ladder encodes. Null when the full ladder is as quick (a
   * single small rung); VideoGoneError when the video left PROCESSING meanwhile.
   */
  private async quickPlayable(a: Attempt, { info, ladder }: Source): Promise<Quick | null> {
    const { segmentSeconds, audioBitrate } = this.deps.settings;
    const remux = canRemux(info);
    if (!remux && ladder.rungs.length === 1) return null;
    this.report(a, 'TRANSCODE', 0, {}, true);
    const out = path.join(a.work, 'quick');
    await mkdir(out);
    const lowest = ladder.rungs[ladder.rungs.length - 1];
    const args = remux
      ? buildRemuxArgs({ input: a.src, outDir: out, segmentSeconds, hasAudio: info.hasAudio })
      : buildEncodeArgs({
          input: a.src, outDir: out, rungs: [lowest], frameRate: ladder.frameRate, segmentSeconds,
          audio: info.hasAudio ? { bitrate: audioBitrate } : null, preset: 'ultrafast', storyboard: null, strict: true,
          rateControl: this.deps.settings.rateControl,
        });
    await this.ffmpeg(a, args);
    const frameRate = remux ? info.frameRate : ladder.frameRate;
    const variants = await this.finishMaster(out, frameRate);
    const folder = `${a.gen}q`;
    await uploadDir(this.deps.storage, out, (name) => publicKey(a.videoId, `${folder}/${name}`));
    const height = variants[0]?.height ?? null;
    a.ctx.reporter.pause();
    await a.ctx.reporter.flush();
    const published = await this.deps.lifecycle.publishPlayable(
      a.videoId,
      {
        hlsKey: publicKey(a.videoId, `${folder}/${MASTER_PLAYLIST}`),
        dashKey: publicKey(a.videoId, `${folder}/${DASH_MANIFEST}`),
        renditions: variants.map((v) => this.renditionRow(a.videoId, folder, v, frameRate)),
      },
      { percent: a.ctx.progress.percent('TRANSCODE', QUICK_SHARE), phasePercent: QUICK_SHARE, attempt: a.ctx.attempt, rendition: height },
    );
    // Refused (deleted or failed meanwhile): the version is discarded with this attempt's files (run's
    // catch), and the ladder is not worth encoding.
    if (!published) throw new VideoGoneError(a.videoId);
    a.playable = true;
    await this.refreshCaptions(a.videoId);
    // The lifecycle announced this step; the reporter's heartbeat carries on from it.
    this.report(a, 'TRANSCODE', QUICK_SHARE, {}, true);
    return { height, remux, ms: Date.now() - a.started };
  }

  /** Stage 3: one ffmpeg pass for every rung (and the storyboard sprites), keyframes aligned. */
  private async encodeLadder(a: Attempt, { info, ladder }: Source, quick: Quick | null): Promise<Encoded> {
    const { segmentSeconds, audioBitrate, preset } = this.deps.settings;
    const out = path.join(a.work, 'ladder');
    const framesDir = path.join(a.work, 'storyboard-frames');
    await mkdir(out);
    await mkdir(framesDir);
    const storyboard = { ...planStoryboard(info.duration, info.displayWidth, info.displayHeight), framesDir };
    const copyTopRung = await this.canCopyTopRung(a.src, info, ladder);
    const args = buildEncodeArgs({
      input: a.src,
      outDir: out,
      rungs: ladder.rungs,
      frameRate: ladder.frameRate,
      segmentSeconds,
      audio: info.hasAudio ? { bitrate: audioBitrate } : null,
      preset,
      storyboard,
      strict: true,
      copyTopRung,
      rateControl: this.deps.settings.rateControl,
    });
    const base = quick ? QUICK_SHARE : 0;
    await this.ffmpeg(a, args, info.duration, (pct, p) => {
      a.ctx.progress.encodeTick(p.outTimeSeconds, info.duration, p.speed);
      this.report(a, 'TRANSCODE', base + ((100 - base) * pct) / 100);
    });
    const variants = await this.finishMaster(out, ladder.frameRate);
    if (variants.length !== ladder.rungs.length) throw new Error(`Expected ${ladder.rungs.length} variants, got ${variants.length}`);
    for (const v of variants) this.report(a, 'TRANSCODE', 100, { rendition: v.height }, true);
    return { out, variants, storyboard, copyTopRung };
  }

  /**
   * Stage 4: a poster in two sizes (a representative frame), the storyboard's sheet and its WebVTT
   * index. Each finished step is an event of its own (forced, like a finished rung: at most three),
   * so the phase visibly moves however quickly the steps follow each other.
   */
  private async thumbnails(a: Attempt, { info }: Source, encoded: Encoded): Promise<Poster> {
    this.report(a, 'THUMBNAILS', 0, {}, true);
    const done = (step: ThumbnailStep) => this.report(a, 'THUMBNAILS', THUMBNAIL_STEPS[step], {}, true);
    const sizes = posterSizes(info.displayWidth, info.displayHeight).map((s) => ({ ...s, file: path.join(encoded.out, `poster-${s.width}x${s.height}.jpg`) }));
    await this.ffmpeg(a, buildPosterArgs({ input: a.src, startSeconds: info.duration * 0.1, spanSeconds: Math.max(0.2, info.duration * 0.4), sizes }));
    done('poster');
    const sheet = 'storyboard-001.jpg';
    await this.ffmpeg(a, buildStoryboardSheetArgs({ ...encoded.storyboard, file: path.join(encoded.out, sheet) }));
    done('sheet');
    await writeFile(path.join(encoded.out, 'storyboard.vtt'), storyboardVtt(encoded.storyboard, info.duration, sheet));
    done('index');
    return sizes;
  }

  /** Stage 5: every file stored (media before manifests), then READY through the lifecycle, then older generations removed. */
  private async publish(a: Attempt, { info, ladder }: Source, quick: Quick | null, encoded: Encoded, poster: Poster): Promise<TranscodeOutcome> {
    const { settings, storage, lifecycle } = this.deps;
    this.report(a, 'PUBLISH', 0, {}, true);
    const key = (name: string) => publicKey(a.videoId, `${a.gen}/${name}`);
    const keys = await uploadDir(storage, encoded.out, key, (stored, total) => this.report(a, 'PUBLISH', (100 * stored) / Math.max(1, total)));
    const sb = encoded.storyboard;
    const storyboard: StoredStoryboard = {
      vttKey: key('storyboard.vtt'),
      imageKeys: keys.filter((k) => /storyboard-\d+\.jpg$/.test(k)).sort(),
      tileWidth: sb.tileWidth,
      tileHeight: sb.tileHeight,
      columns: sb.columns,
      rows: sb.rows,
      intervalSeconds: sb.intervalSeconds,
    };
    a.ctx.reporter.close();
    await a.ctx.reporter.flush();
    const published = await lifecycle.markReady(a.videoId, {
      hlsKey: key(MASTER_PLAYLIST),
      dashKey: key(DASH_MANIFEST),
      renditions: encoded.variants.map((v) => this.renditionRow(a.videoId, a.gen, v, ladder.frameRate)),
      poster: poster.map((s): StoredImage => ({ key: key(path.basename(s.file)), width: s.width, height: s.height })),
      storyboard,
      encodingSettings: {
        generation: a.gen,
        videoCodec: 'h264',
        audioCodec: info.hasAudio ? 'aac' : null,
        preset: settings.preset,
        segmentSeconds: settings.segmentSeconds,
        gopFrames: gopFrames(ladder.frameRate, settings.segmentSeconds),
        frameRate: ladder.frameRate,
        ladder: ladder.rungs,
        topRung: encoded.copyTopRung ? 'copy' : 'encode',
        audioBitrate: info.hasAudio ? settings.audioBitrate : null,
        rateControl: settings.rateControl,
        firstPlayable: quick ? (quick.remux ? 'remux' : 'lowest-rung') : 'none',
        firstPlayableMs: quick?.ms ?? null,
        totalMs: Date.now() - a.started,
      },
    });
    if (!published) {
      await storage.deletePrefix(publicKey(a.videoId, `${a.gen}/`));
      return 'SKIPPED';
    }
    await this.refreshCaptions(a.videoId);
    await this.removeOtherGenerations(a.videoId, a.gen);
    return 'READY';
  }

  /** Progress within PROCESSING, as a position in a phase; the status moves themselves are announced by the lifecycle. */
  private report(a: Attempt, phase: Exclude<ProgressPhase, 'RETRY'>, phasePercent: number, extra: { rendition?: number } = {}, force = false): void {
    const { progress, attempt } = a.ctx;
    const percent = progress.percent(phase, phasePercent);
    const event: VideoProgress = {
      videoId: a.videoId,
      status: VideoStatus.PROCESSING,
      phase,
      percent,
      phasePercent: round1(phasePercent),
      etaSeconds: progress.eta(phase, phasePercent),
      attempt,
      ...extra,
      ...(a.playable ? { playable: true } : {}),
    };
    a.ctx.reporter.report(event, force);
  }

  /**
   * Runs ffmpeg on the probed source: a failure then means damaged or undecodable media (reported
   * in plain words); an abort (timeout) is passed through as is.
   */
  private async ffmpeg(a: Attempt, args: string[], duration = 0, onPercent: (pct: number, p: FfmpegProgress) => void = () => undefined): Promise<void> {
    let reached = 0;
    try {
      await this.deps.tools.run(args, {
        signal: a.ctx.signal,
        onProgress: (p) => {
          reached = Math.max(reached, p.outTimeSeconds);
          if (duration > 0) onPercent(percentOf(p, duration), p);
        },
      });
    } catch (err) {
      if (err instanceof FfmpegError && !err.aborted) {
        this.deps.logger.warn({ err: err.message, videoId: a.videoId }, 'ffmpeg failed');
        throw new MediaError(`The video is damaged or cannot be decoded (stopped at ${reached.toFixed(1)} s)`);
      }
      throw err;
    }
  }

  /** ffmpeg's manifests with measured bandwidths, the master completed with FRAME-RATE; the variants it lists. */
  private async finishMaster(dir: string, frameRate: number): Promise<VariantInfo[]> {
    await advertiseMeasuredBandwidth(dir);
    const file = path.join(dir, MASTER_PLAYLIST);
    const master = withFrameRate(await readFile(file, 'utf8'), frameRate);
    await writeFile(file, master);
    return readVariants(master);
  }

  /** Copying the source as the top rung needs its keyframes on every segment boundary (packet scan, no decode). */
  private async canCopyTopRung(src: string, info: ProbeResult, ladder: Ladder): Promise<boolean> {
    if (ladder.rungs.length < 2 || !canCopyTopRung(info, { ...ladder.rungs[0], frameRate: ladder.frameRate })) return false;
    const times = await this.deps.tools.keyframeTimes(src).catch(() => []);
    return keyframesAligned(times, info.duration, this.deps.settings.segmentSeconds, ladder.frameRate);
  }

  private renditionRow(videoId: string, folder: string, v: VariantInfo, frameRate: number): RenditionRow {
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

  /**
   * The version is published without captions; tracks added before (or while) it was made are put
   * in now. A failure here leaves the version playable without them (logged): the next caption
   * change or re-encode puts them in.
   */
  private async refreshCaptions(videoId: string): Promise<void> {
    await this.deps.captions.refresh(videoId).catch((err: unknown) => this.deps.logger.warn({ err, videoId }, 'caption tracks not added to the manifests'));
  }

  /** Every generation folder but `gen` (all of them when null); the caption tracks are the video's, not a generation's. */
  private async removeOtherGenerations(videoId: string, gen: string | null): Promise<void> {
    const prefix = publicPrefix(videoId);
    const keep = new Set([CAPTIONS_FOLDER, ...(gen === null ? [] : [gen])]);
    const folders = new Set<string>();
    for (const key of await this.deps.storage.list(prefix)) {
      const rel = key.slice(prefix.length);
      const slash = rel.indexOf('/');
      if (slash >= 0) folders.add(rel.slice(0, slash));
      else if (gen === null) await this.deps.storage.delete(key); // loose files: only a failure clears them
    }
    for (const f of folders) if (!keep.has(f)) await this.deps.storage.deletePrefix(`${prefix}${f}/`);
  }
}
