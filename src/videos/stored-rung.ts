import { Readable } from 'node:stream';
import { audioPlaylistUri, keyBeside, parseMediaPlaylist, type PlaylistSegment } from '../media/playlists';
import type { ObjectStorage } from '../storage/storage';

/** One rung (or the audio) of a published video as storage keys: what a remux or a frame grab reads. */
export interface StoredRung {
  initKey: string;
  segments: (PlaylistSegment & { key: string })[];
  /** Seconds, the sum of the segments. */
  duration: number;
}

// Playlists are parsed in memory; anything bigger is not one the transcode wrote.
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** The init segment and media segments a media playlist lists, as keys beside it. */
export async function readStoredRung(storage: ObjectStorage, playlistKey: string): Promise<StoredRung> {
  const files = parseMediaPlaylist(await readSmallText(storage, playlistKey));
  return {
    initKey: keyBeside(playlistKey, files.init),
    segments: files.segments.map((s) => ({ ...s, key: keyBeside(playlistKey, s.uri) })),
    duration: files.duration,
  };
}

/** The audio of a published video (from its HLS master), or null when it has none. */
export async function readStoredAudio(storage: ObjectStorage, hlsKey: string): Promise<StoredRung | null> {
  const uri = audioPlaylistUri(await readSmallText(storage, hlsKey));
  return uri ? readStoredRung(storage, keyBeside(hlsKey, uri)) : null;
}

/**
 * The objects one after another as one stream (an init segment then media segments is a valid
 * fragmented MP4), each opened only when the previous one has been read: memory stays flat.
 */
export function concatObjects(storage: ObjectStorage, keys: readonly string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const key of keys) {
        const part = await storage.get(key);
        try {
          for await (const chunk of part) yield chunk as Buffer;
        } finally {
          part.destroy();
        }
      }
    })(),
    { objectMode: false },
  );
}

async function readSmallText(storage: ObjectStorage, key: string): Promise<string> {
  const stat = await storage.stat(key);
  if (!stat) throw new Error(`Missing playlist ${key}`);
  if (stat.size > MAX_PLAYLIST_BYTES) throw new Error(`Playlist ${key} is too large`);
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
