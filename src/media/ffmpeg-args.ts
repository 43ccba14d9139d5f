import path from 'node:path';
import { sourceInputOptions } from './input-args';
import { rungRate, type RateControl, type Rung } from './ladder';

/**
 * Pure builders of ffmpeg command lines. One process decodes once and writes every rung as
 * fMP4/CMAF segments through the DASH muxer, which also writes the HLS playlists over the very
 * same segments: one set of media files, two manifests.
 */

export const MASTER_PLAYLIST = 'master.m3u8';
export const DASH_MANIFEST = 'manifest.mpd';
export const INIT_NAME = 'init-$RepresentationID$.mp4';
export const SEGMENT_NAME = 'seg-$RepresentationID$-$Number%05d$.m4s';
/** The DASH muxer names media playlists after the representation index. */
export const mediaPlaylistName = (index: number): string => `media_${index}.m3u8`;
export const initName = (index: number): string => `init-${index}.mp4`;
export const STORYBOARD_PATTERN = 'storyboard-%03d.jpg';
/** The storyboard's single frames, written by the ladder pass and tiled into the sheet afterwards. */
export const STORYBOARD_FRAME_PATTERN = 'frame-%05d.jpg';

export interface StoryboardPlan {
  intervalSeconds: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

export interface AudioPlan {
  bitrate: number;
}

export interface EncodePlan {
  input: string;
  /** Directory the manifests and segments are written to (must exist). */
  outDir: string;
  rungs: Rung[];
  frameRate: number;
  segmentSeconds: number;
  audio: AudioPlan | null;
  preset: string;
  /**
   * Storyboard frames (one JPEG per tile) written to `framesDir` in the same pass; omitted when
   * null. They are tiled into the sheet by buildStoryboardSheetArgs once the pass is over.
   */
  storyboard: (StoryboardPlan & { framesDir: string }) | null;
  /** Stream-copy the source video as rung 0 (see canCopyTopRung); the others are encoded. */
  copyTopRung?: boolean;
  /** Extra decoder strictness: stop on the first corrupt frame instead of concealing it. */
  strict: boolean;
  /** Fixed bitrates or capped CRF (see ladder.ts). */
  rateControl: RateControl;
}

const common = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-progress', 'pipe:1', '-nostats'];

function dashOutput(outDir: string, segmentSeconds: number, hasAudio: boolean): string[] {
  return [
    '-f', 'dash',
    '-seg_duration', String(segmentSeconds),
    '-use_template', '1',
    '-use_timeline', '1',
    '-hls_playlist', '1',
    '-hls_master_name', MASTER_PLAYLIST,
    '-init_seg_name', INIT_NAME,
    '-media_seg_name', SEGMENT_NAME,
    '-adaptation_sets', hasAudio ? 'id=0,streams=v id=1,streams=a' : 'id=0,streams=v',
    path.join(outDir, DASH_MANIFEST),
  ];
}

/** Keyframe interval in frames: exactly one GOP per segment, so every rung cuts at the same instants. */
export function gopFrames(frameRate: number, segmentSeconds: number): number {
  return Math.max(1, Math.round(frameRate * segmentSeconds));
}

/** The single-pass ladder encode (and storyboard sprites) as an argument vector. */
export function buildEncodeArgs(plan: EncodePlan): string[] {
  if (!plan.rungs.length) throw new Error('An encode needs at least one rung');
  const n = plan.rungs.length;
  // Cascade: each rung is scaled from the one above rather than from the source (rungs are
  // largest first), which saves most of the scaling work of a plain split. A constant frame rate
  // first: variable-rate sources play smoothly and GOPs line up across rungs.
  const graph: string[] = [];
  const copy = !!plan.copyTopRung;
  let prev = '[0:v:0]fps=' + plan.frameRate + ',format=yuv420p,';
  plan.rungs.forEach((r, i) => {
    if (copy && i === 0) return;
    const last = i === n - 1;
    const next = last ? (plan.storyboard ? `split=2[v${i}][sbin]` : null) : `split=2[v${i}][c${i}]`;
    graph.push(`${prev}scale=${r.width}:${r.height}:flags=bicubic${next ? `,${next}` : `[v${i}]`}`);
    prev = `[c${i}]`;
  });
  if (plan.storyboard) {
    const sb = plan.storyboard;
    // From the smallest rung: tiles are tiny, and scaling from 240p costs next to nothing. No
    // `tile` filter here: it holds its one output frame until the end, and ffmpeg's -progress
    // reports stop moving while any output waits, so the whole encode looked frozen.
    graph.push(`[sbin]fps=1/${sb.intervalSeconds},scale=${sb.tileWidth}:${sb.tileHeight},setsar=1[sb]`);
  }
  const gop = gopFrames(plan.frameRate, plan.segmentSeconds);
  const args = [...common];
  if (plan.strict) args.push('-xerror', '-err_detect', 'explode');
  args.push(...sourceInputOptions(plan.input), '-i', plan.input);
  if (graph.length) args.push('-filter_complex', graph.join(';'));
  plan.rungs.forEach((_, i) => args.push('-map', copy && i === 0 ? '0:v:0' : `[v${i}]`));
  if (plan.audio) args.push('-map', '0:a:0');
  args.push(
    '-c:v', 'libx264',
    '-preset', plan.preset,
    '-g', String(gop),
    '-keyint_min', String(gop),
    '-sc_threshold', '0',
    '-flags', '+cgop',
  );
  if (copy) args.push('-c:v:0', 'copy');
  plan.rungs.forEach((r, i) => {
    if (copy && i === 0) return;
    // Per stream: a copied stream has no encoder to take a profile.
    args.push(`-profile:v:${i}`, 'high');
    args.push(...rateArgs(i, r, plan.rateControl));
  });
  if (plan.audio) args.push('-c:a', 'aac', '-b:a', String(plan.audio.bitrate), '-ac', '2', '-ar', '48000');
  args.push(...dashOutput(plan.outDir, plan.segmentSeconds, !!plan.audio));
  if (plan.storyboard) {
    args.push('-map', '[sb]', '-c:v', 'mjpeg', '-q:v', '5', '-fps_mode', 'passthrough', '-f', 'image2', path.join(plan.storyboard.framesDir, STORYBOARD_FRAME_PATTERN));
  }
  return args;
}

/** One encoded stream's rate options (per output stream index). */
export function rateArgs(index: number, r: Rung, rc: RateControl): string[] {
  const rate = rungRate(r, rc);
  const target = rate.crf !== null ? [`-crf:v:${index}`, String(rate.crf)] : [`-b:v:${index}`, String(rate.bitrate)];
  return [...target, `-maxrate:v:${index}`, String(rate.maxrate), `-bufsize:v:${index}`, String(rate.bufsize)];
}

export interface StoryboardSheetPlan extends StoryboardPlan {
  /** Where the ladder pass wrote the frames (STORYBOARD_FRAME_PATTERN). */
  framesDir: string;
  /** The sheet's file. */
  file: string;
}

/** The sprite sheet from the storyboard frames: a second, tiny pass over at most 100 small JPEGs. */
export function buildStoryboardSheetArgs(plan: StoryboardSheetPlan): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    // Our own frames in our own directory: local files, the image sequence demuxer, nothing else.
    '-protocol_whitelist', 'file', '-f', 'image2',
    '-framerate', '1', '-start_number', '1', '-i', path.join(plan.framesDir, STORYBOARD_FRAME_PATTERN),
    // One sheet: a frame beyond columns × rows (fps rounding at the very end) is left out.
    '-vf', `tile=${plan.columns}x${plan.rows}`, '-frames:v', '1', '-q:v', '5', '-update', '1', plan.file,
  ];
}

export interface RemuxPlan {
  input: string;
  outDir: string;
  segmentSeconds: number;
  hasAudio: boolean;
}

/** Stream copy of an already deliverable H.264/AAC source into the same segment layout: playable in seconds. */
export function buildRemuxArgs(plan: RemuxPlan): string[] {
  const args = [...common, ...sourceInputOptions(plan.input), '-i', plan.input, '-map', '0:v:0'];
  if (plan.hasAudio) args.push('-map', '0:a:0');
  args.push('-c', 'copy', ...dashOutput(plan.outDir, plan.segmentSeconds, plan.hasAudio));
  return args;
}

export interface PosterPlan {
  input: string;
  /** Window searched for a representative frame. */
  startSeconds: number;
  spanSeconds: number;
  sizes: { width: number; height: number; file: string }[];
}

/**
 * A representative still: ffmpeg's `thumbnail` filter picks the frame closest to the average of
 * a batch, which skips black and blank frames, from a window well inside the video.
 */
export function buildPosterArgs(plan: PosterPlan): string[] {
  const k = plan.sizes.length;
  // One batch covering the whole window (5 frames per second looked at), so one pick comes out.
  const batch = Math.max(1, Math.min(100, Math.round(plan.spanSeconds * 5)));
  const graph = [`[0:v:0]fps=5,thumbnail=${batch},setsar=1,split=${k}${labels('p', k)}`];
  plan.sizes.forEach((s, i) => graph.push(`[p${i}]scale=${s.width}:${s.height}[o${i}]`));
  const args = [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-ss', plan.startSeconds.toFixed(3), '-t', plan.spanSeconds.toFixed(3),
    ...sourceInputOptions(plan.input), '-i', plan.input, '-filter_complex', graph.join(';'),
  ];
  plan.sizes.forEach((s, i) => args.push('-map', `[o${i}]`, '-frames:v', '1', '-q:v', '3', '-update', '1', s.file));
  return args;
}

function labels(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `[${prefix}${i}]`).join('');
}
