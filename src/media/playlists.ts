import path from 'node:path/posix';
import * as HLS from 'hls-parser';

/** Pure readings of the HLS playlists a transcode wrote: which files make up a rung, and where the audio is. */

export interface PlaylistSegment {
  uri: string;
  /** Seconds from the start of the rung. */
  start: number;
  duration: number;
}

export interface MediaPlaylistFiles {
  /** The CMAF init segment (EXT-X-MAP). */
  init: string;
  segments: PlaylistSegment[];
  /** Sum of the segment durations. */
  duration: number;
}

/** The init segment and the media segments of a media playlist, in order, with their start times. */
export function parseMediaPlaylist(text: string): MediaPlaylistFiles {
  const playlist = HLS.parse(text);
  if (playlist.isMasterPlaylist) throw new Error('Expected a media playlist');
  const init = playlist.segments[0]?.map?.uri;
  if (!init || !playlist.segments.length) throw new Error('The media playlist has no init segment or no segments');
  let start = 0;
  const segments = playlist.segments.map((s) => {
    const seg = { uri: s.uri, start, duration: s.duration };
    start += s.duration;
    return seg;
  });
  return { init, segments, duration: start };
}

/** The media playlist of the master's (first) audio rendition, or null for a silent video. */
export function audioPlaylistUri(masterText: string): string | null {
  const playlist = HLS.parse(masterText);
  if (!playlist.isMasterPlaylist) throw new Error('Expected a master playlist');
  for (const v of playlist.variants) for (const a of v.audio) if (a.uri) return a.uri;
  return null;
}

/** The segment holding `time` (clamped into the playlist). */
export function segmentAt<S extends PlaylistSegment>(files: { segments: readonly S[] }, time: number): S {
  const last = files.segments[files.segments.length - 1];
  if (!last) throw new Error('No segments');
  return files.segments.find((s) => time < s.start + s.duration) ?? last;
}

/**
 * The storage key a playlist URI names, relative to the playlist's own key. Only plain relative
 * names inside the same folder tree: a scheme, an absolute path or `..` is refused.
 */
export function keyBeside(playlistKey: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.split(/[/?#]/).includes('..') || /[?#]/.test(uri)) {
    throw new Error(`Unexpected URI in a playlist: ${uri}`);
  }
  return path.join(path.dirname(playlistKey), uri);
}
