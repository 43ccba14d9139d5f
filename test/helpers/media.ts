import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VideoEntity } from '../../src/db/entities';
import { JobQueue } from '../../src/jobs/job-queue';
import { sourceKey } from '../../src/storage/keys';
import { VideoStatus, Visibility } from '../../src/videos/video-status';
import type { TestStack } from './env';

const run = promisify(execFile);

/** A temp dir for generated media, removed by `cleanup`. */
export async function mediaDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vp-media-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
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
export async function queueVideo(stack: TestStack, ownerId: string, file: string, opts: { enqueue?: boolean; visibility?: Visibility } = {}): Promise<string> {
  const id = randomUUID();
  const storage = stack.api.infra.storage;
  const put = await storage.put(sourceKey(id), createReadStream(file));
  await stack.api.infra.ds.getRepository(VideoEntity).insert({
    id,
    ownerId,
    title: `clip ${path.basename(file)}`,
    description: null,
    status: VideoStatus.QUEUED,
    visibility: opts.visibility ?? Visibility.PUBLIC,
    sourceKey: sourceKey(id),
    sizeBytes: put.size,
  });
  if (opts.enqueue !== false) await enqueue(stack, id);
  return id;
}

export async function enqueue(stack: TestStack, videoId: string): Promise<void> {
  const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
  await jobs.add('video.transcode', { videoId }, { jobId: `transcode-${videoId}` });
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
      const state = await (await jobs.queue.getJob(`transcode-${videoId}`))?.getState();
      if (state === 'completed' || state === 'failed') return state;
      if (Date.now() > until) throw new Error(`job of ${videoId} still ${state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await jobs.close();
  }
}
