import * as HLS from 'hls-parser';
import type { StoryboardPlan } from './ffmpeg-args';
import { even } from './ladder';
import type { ProbeResult } from './probe';

/** Pure decisions and text formats around the encode: storyboard layout, WebVTT, poster sizes, manifests. */

const MAX_TILES = 100;
const COLUMNS = 10;

/** Tiles every whole second (longer for long videos) so there are never more than 100 of them, on one sheet. */
export function planStoryboard(duration: number, displayWidth: number, displayHeight: number): StoryboardPlan & { tiles: number } {
  const intervalSeconds = Math.max(1, Math.ceil(duration / MAX_TILES));
  const tiles = Math.max(1, Math.ceil(duration / intervalSeconds));
  const portrait = displayHeight > displayWidth;
  const tileWidth = portrait ? 90 : 160;
  const tileHeight = even((tileWidth * displayHeight) / displayWidth);
  const columns = Math.min(COLUMNS, tiles);
  return { intervalSeconds, tileWidth, tileHeight, columns, rows: Math.ceil(tiles / columns), tiles };
}

/** The WebVTT index players use for scrub previews: one cue per tile, `sheet#xywh=x,y,w,h`. */
export function storyboardVtt(plan: StoryboardPlan & { tiles: number }, duration: number, sheet: string): string {
  const cues = ['WEBVTT', ''];
  for (let i = 0; i < plan.tiles; i++) {
    const start = i * plan.intervalSeconds;
    const end = Math.min(duration, start + plan.intervalSeconds);
    const x = (i % plan.columns) * plan.tileWidth;
    const y = Math.floor(i / plan.columns) * plan.tileHeight;
    cues.push(`${vttTime(start)} --> ${vttTime(end)}`, `${sheet}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`, '');
  }
  return cues.join('\n');
}

export function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Two poster sizes, largest first: the picture fitted in 1280 (never upscaled), and a small one for lists. */
export function posterSizes(displayWidth: number, displayHeight: number): { width: number; height: number }[] {
  const fit = (longSide: number) => {
    const long = Math.max(displayWidth, displayHeight);
    const scale = Math.min(1, longSide / long);
    return { width: even(displayWidth * scale), height: even(displayHeight * scale) };
  };
  const large = fit(1280);
  const small = fit(Math.min(320, Math.max(large.width, large.height) / 2));
  return [large, small];
}

/**
 * A source that browsers already play (H.264 8-bit 4:2:0 + AAC or silence, upright, ≤1080p, ≤60 fps)
 * is stream-copied into segments first, so the video plays seconds after upload.
 */
export function canRemux(p: ProbeResult): boolean {
  return (
    p.videoCodec === 'h264' &&
    (p.pixelFormat === 'yuv420p' || p.pixelFormat === 'yuvj420p') &&
    !/10|4:2:2|4:4:4/.test(p.videoProfile ?? '') &&
    p.rotation === 0 &&
    (!p.hasAudio || p.audioCodec === 'aac') &&
    Math.max(p.displayWidth, p.displayHeight) <= 1920 &&
    Math.min(p.displayWidth, p.displayHeight) <= 1080 &&
    p.frameRate > 0 &&
    p.frameRate <= 60
  );
}

/**
 * The source's video can stand in for the top rung unchanged (no re-encode, the largest saving of
 * the whole ladder) when it is exactly that rung: same size and rate, browser-safe H.264, within
 * the rung's peak bitrate. Keyframe alignment is checked separately (keyframes.ts).
 */
export function canCopyTopRung(p: ProbeResult, top: { width: number; height: number; frameRate: number; maxBitrate: number }): boolean {
  return (
    p.videoCodec === 'h264' &&
    p.pixelFormat === 'yuv420p' &&
    /^(High|Main|Constrained Baseline)$/.test(p.videoProfile ?? '') &&
    p.rotation === 0 &&
    p.width === top.width &&
    p.height === top.height &&
    Math.abs(p.frameRate - top.frameRate) < 0.01 &&
    p.videoBitrate !== null &&
    p.videoBitrate <= top.maxBitrate
  );
}

/** ffmpeg's DASH muxer writes no FRAME-RATE into the HLS master; players use it to pick rungs. */
export function withFrameRate(master: string, frameRate: number): string {
  return master.replace(/^(#EXT-X-STREAM-INF:)(?!.*FRAME-RATE)(.*)$/gm, `$1$2,FRAME-RATE=${frameRate.toFixed(3)}`);
}

export interface VariantInfo {
  /** Representation index (media_<index>.m3u8). */
  index: number;
  bandwidth: number;
  width: number;
  height: number;
  codecs: string;
}

/** The rungs as the master playlist advertises them (codecs strings come from the muxer, not guessed). */
export function readVariants(master: string): VariantInfo[] {
  const parsed = HLS.parse(master);
  if (!parsed.isMasterPlaylist) throw new Error('Not an HLS master playlist');
  return parsed.variants.map((v) => {
    const m = /media_(\d+)\.m3u8$/.exec(v.uri);
    if (!m) throw new Error(`Unexpected variant URI ${v.uri}`);
    return {
      index: Number(m[1]),
      bandwidth: v.bandwidth,
      width: v.resolution?.width ?? 0,
      height: v.resolution?.height ?? 0,
      codecs: v.codecs ?? '',
    };
  });
}
