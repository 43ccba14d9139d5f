import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RenditionEntity, VideoEntity } from '../../src/db/entities';
import { JobQueue } from '../../src/jobs/job-queue';
import { invalidateVideoCache } from '../../src/cache/video-cache';
import { jobIdFor } from '../../src/jobs/job-types';
import { publicKey, sourceKey } from '../../src/storage/keys';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import type { TestStack } from './env';

const run = promisify(execFile);

/**
 * A real, tiny CMAF ladder (240p + 120p video, AAC audio) with a DASH MPD and HLS master/media
 * playlists sharing the segments, made by ffmpeg at test time. Returns the folder.
 */
export async function makeLadder(): Promise<{ dir: string; files: string[]; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vp-ladder-'));
  for (const r of ['r0', 'r1', 'r2']) await mkdir(path.join(dir, r));
  await run('ffmpeg', [
    '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '3', '-map', '0:v', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25',
    '-s:v:0', '320x240', '-s:v:1', '160x120', '-b:v:0', '300k', '-b:v:1', '100k', '-c:a', 'aac', '-b:a', '64k',
    '-f', 'dash', '-seg_duration', '1', '-use_template', '1', '-use_timeline', '0', '-hls_playlist', '1',
    '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
    '-init_seg_name', 'r$RepresentationID$/init.mp4', '-media_seg_name', 'r$RepresentationID$/seg-$Number%05d$.m4s',
    path.join(dir, 'manifest.mpd'),
  ]);
  await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', path.join(dir, 'poster.jpg')]);
  const files: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else files.push(path.relative(dir, path.join(d, e.name)).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return { dir, files: files.sort(), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface SeedOptions {
  ownerId: string;
  title?: string;
  description?: string | null;
  viewCount?: number;
  visibility?: Visibility;
  status?: VideoStatus;
  createdAt?: Date;
  /** Upload the ladder's files and point the row at them. */
  ladder?: { dir: string; files: string[] };
}

/** Inserts a video as processing would leave it: row, renditions, poster, and (optionally) the files. */
export async function seedVideo(stack: TestStack, opts: SeedOptions): Promise<string> {
  const id = randomUUID();
  const { ds, storage } = stack.api.infra;
  await ds.getRepository(VideoEntity).insert({
    id,
    ownerId: opts.ownerId,
    title: opts.title ?? `Video ${id.slice(0, 8)}`,
    description: opts.description ?? null,
    viewCount: opts.viewCount ?? 0,
    status: opts.status ?? VideoStatus.READY,
    visibility: opts.visibility ?? Visibility.PUBLIC,
    durationSeconds: 3,
    width: 320,
    height: 240,
    hlsKey: publicKey(id, 'master.m3u8'),
    dashKey: publicKey(id, 'manifest.mpd'),
    poster: [{ key: publicKey(id, 'poster.jpg'), width: 320, height: 240 }],
    ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
  });
  await ds.getRepository(RenditionEntity).insert([
    { videoId: id, height: 240, width: 320, bitrate: 369130, codecs: 'avc1.42c00d,mp4a.40.2', frameRate: 25, playlistKey: publicKey(id, 'media_0.m3u8'), initKey: publicKey(id, 'r0/init.mp4') },
    { videoId: id, height: 120, width: 160, bitrate: 166818, codecs: 'avc1.42c00c,mp4a.40.2', frameRate: 25, playlistKey: publicKey(id, 'media_1.m3u8'), initKey: publicKey(id, 'r1/init.mp4') },
  ]);
  if (opts.ladder) {
    const { dir, files } = opts.ladder;
    await Promise.all(files.map((f) => storage.put(publicKey(id, f), createReadStream(path.join(dir, f)))));
  }
  // Written past the lifecycle, so drop what it would have: cached lists (and responses) must show the new row.
  await invalidateVideoCache(stack.api.infra.redis, stack.config.redisPrefix, id);
  return id;
}

/** A temp folder of generated media, removed by `cleanup()`. Nothing is committed. */
export interface MediaDir {
  dir: string;
  /** A short test-pattern clip with a tone (H.264/AAC MP4, 1 s GOPs). */
  clip(name: string, opts?: { seconds?: number; size?: string; extra?: string[] }): Promise<string>;
  png(name: string): Promise<string>;
  mp3(name: string): Promise<string>;
  /** The first `fraction` of a file's bytes. */
  truncate(file: string, name: string, fraction: number): Promise<string>;
  text(name: string, content: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function mediaDir(): Promise<MediaDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-media-test-'));
  const out = (name: string) => path.join(dir, name);
  return {
    dir,
    clip: (name, opts = {}) => makeClip(out(name), { seconds: opts.seconds ?? 3, size: opts.size, extra: ['-g', '25', ...(opts.extra ?? [])] }),
    async png(name) {
      await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', out(name)]);
      return out(name);
    },
    async mp3(name) {
      await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:a', 'libmp3lame', '-f', 'mp3', out(name)]);
      return out(name);
    },
    async truncate(file, name, fraction) {
      const bytes = await readFile(file);
      await writeFile(out(name), bytes.subarray(0, Math.floor(bytes.length * fraction)));
      return out(name);
    },
    async text(name, content) {
      await writeFile(out(name), content);
      return out(name);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-v', 'error', ...args]);
}

export async function ffprobeJson<T>(args: string[]): Promise<T> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', ...args], { maxBuffer: 32 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** An H.264/AAC test pattern with a tone; `extra` goes before the output (e.g. codec or metadata flags). */
export async function makeClip(
  file: string,
  opts: { size?: string; seconds?: number; rate?: number; audio?: boolean; extra?: string[] } = {},
): Promise<string> {
  const { size = '320x240', seconds = 4, rate = 25, audio = true, extra = [] } = opts;
  const inputs = ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
  if (audio) inputs.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  await ffmpeg([...inputs, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac'] : []), ...extra, file]);
  return file;
}

/**
 * The state the upload step leaves: a QUEUED video row with its original in storage, and the
 * transcode job enqueued as the upload service does it.
 */
export async function queueVideo(
  stack: TestStack,
  ownerId: string,
  file: string,
  opts: { enqueue?: boolean; visibility?: Visibility; sourceKeyOf?: (id: string) => string } = {},
): Promise<string> {
  const id = randomUUID();
  const storage = stack.api.infra.storage;
  // `sourceKeyOf: legacySourceKey` seeds a row from before sources/ existed.
  const key = (opts.sourceKeyOf ?? sourceKey)(id);
  const put = await storage.put(key, createReadStream(file));
  await stack.api.infra.ds.getRepository(VideoEntity).insert({
    id,
    ownerId,
    title: `clip ${path.basename(file)}`,
    description: null,
    status: VideoStatus.QUEUED,
    visibility: opts.visibility ?? Visibility.PUBLIC,
    sourceKey: key,
    sizeBytes: put.size,
  });
  if (opts.enqueue !== false) await enqueue(stack, id);
  return id;
}

export async function enqueue(stack: TestStack, videoId: string): Promise<void> {
  const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
  await jobs.add('video.transcode', { videoId });
  await jobs.close();
}

/** Polls the row until its status is one of `statuses`. */
export async function waitForStatus(stack: TestStack, id: string, statuses: VideoStatus[], timeoutMs = 120_000): Promise<VideoEntity> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id });
    if (statuses.includes(v.status)) return v;
    if (Date.now() > until) throw new Error(`video ${id} still ${v.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A stored object as text (manifests, playlists, WebVTT). */
export async function readText(stack: TestStack, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await stack.api.infra.storage.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Downloads a stored object into a local file (for ffprobe). */
export async function fetchToFile(stack: TestStack, key: string, file: string): Promise<string> {
  const { pipeline } = await import('node:stream/promises');
  const { createWriteStream } = await import('node:fs');
  await pipeline(await stack.api.infra.storage.get(key), createWriteStream(file));
  return file;
}

/** Waits until the video's transcode job has finished (completed or failed for good), cleanup included. */
export async function waitForJob(stack: TestStack, videoId: string, timeoutMs = 180_000): Promise<string> {
  const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const state = await (await jobs.queue.getJob(jobIdFor('video.transcode', videoId)))?.getState();
      if (state === 'completed' || state === 'failed') return state;
      if (Date.now() > until) throw new Error(`job of ${videoId} still ${state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await jobs.close();
  }
}

/**
 * What an operator's re-encode does to a READY video: its finished job goes, a new one comes
 * (READY → PROCESSING → READY). Returns the row once READY again.
 */
export async function reencode(stack: TestStack, videoId: string): Promise<VideoEntity> {
  const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
  try {
    if ((await jobs.cancel('video.transcode', videoId)) !== 'removed') throw new Error(`the finished job of ${videoId} was not there to remove`);
    await jobs.add('video.transcode', { videoId });
  } finally {
    await jobs.close();
  }
  const state = await waitForJob(stack, videoId);
  if (state !== 'completed') throw new Error(`the re-encode of ${videoId} ended ${state}`);
  return waitForStatus(stack, videoId, [VideoStatus.READY]);
}

/** A picture shrunk to 32x18 grey pixels: enough to tell frames apart, blind to encoding noise. */
export async function greyPixels(file: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'scale=32:18', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024,
  });
  return stdout;
}

/** Mean absolute difference of two grey pictures of the same size (0: identical, 255: opposite). */
export function pictureDistance(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || !a.length) throw new Error('pictures of different sizes');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** The top-level box types of an MP4 file, in order (ftyp, moov, mdat…). */
export function mp4Boxes(bytes: Buffer): string[] {
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    if (size === 0) size = bytes.length - at;
    if (size < 8) throw new Error(`bad box size at ${at}`);
    boxes.push(type);
    at += size;
  }
  return boxes;
}
