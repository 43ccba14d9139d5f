import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentTypeOf } from '../media/file-types';
import type { ObjectStorage } from '../storage/storage';

/** File-system and storage chores of a transcode: temp workspace, source download, output upload. */

const TEMP_PREFIX = 'vp-transcode-';

/**
 * A fresh temp workspace for one attempt. Workspaces a killed worker left for the same video are
 * removed first, so a SIGKILL never leaks disk beyond the next attempt.
 */
export async function createWorkspace(videoId: string): Promise<string> {
  const root = os.tmpdir();
  const stale = (await readdir(root).catch(() => [] as string[])).filter((d) => d.startsWith(`${TEMP_PREFIX}${videoId}-`));
  await Promise.all(stale.map((d) => rm(path.join(root, d), { recursive: true, force: true })));
  return mkdtemp(path.join(root, `${TEMP_PREFIX}${videoId}-`));
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Streams the original to disk (ffmpeg seeks in it several times); false when it is missing. */
export async function downloadSource(storage: ObjectStorage, key: string, file: string): Promise<boolean> {
  if (!(await storage.stat(key))) return false;
  await pipeline(await storage.get(key), createWriteStream(file));
  return true;
}

/**
 * Uploads every file of `dir` (flat) under `keyOf(name)`, a few at a time; returns the keys written.
 * `onStored(bytes, totalBytes)` follows along after each file.
 */
export async function uploadDir(
  storage: ObjectStorage,
  dir: string,
  keyOf: (name: string) => string,
  onStored: (storedBytes: number, totalBytes: number) => void = () => undefined,
): Promise<string[]> {
  const parallel = 4;
  const names = (await readdir(dir)).sort(byUploadOrder);
  const sizes = new Map(await Promise.all(names.map(async (n) => [n, (await stat(path.join(dir, n))).size] as const)));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  let stored = 0;
  const keys: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < names.length) {
      const name = names[next++];
      const key = keyOf(name);
      await storage.put(key, createReadStream(path.join(dir, name)), { contentType: contentTypeOf(name) });
      keys.push(key);
      stored += sizes.get(name) ?? 0;
      onStored(stored, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, lane));
  return keys;
}

/** Media before playlists before manifests: a manifest never points at a file not yet stored. */
function byUploadOrder(a: string, b: string): number {
  const rank = (n: string) => (n.endsWith('.mpd') || n === 'master.m3u8' ? 2 : n.endsWith('.m3u8') ? 1 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}
