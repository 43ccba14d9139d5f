import { storedPrefixes } from './keys';
import type { ObjectStorage } from './storage';

/**
 * Removes every object of a video: its delivered files and its original, whichever layout the
 * original has (keys.ts). Returns how many were removed.
 */
export async function deleteVideoObjects(storage: Pick<ObjectStorage, 'deletePrefix'>, videoId: string): Promise<number> {
  let removed = 0;
  for (const prefix of storedPrefixes(videoId)) removed += await storage.deletePrefix(prefix);
  return removed;
}

/** Every key still stored for a video, under either root. */
export async function listVideoObjects(storage: Pick<ObjectStorage, 'list'>, videoId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of storedPrefixes(videoId)) keys.push(...(await storage.list(prefix)));
  return keys;
}
