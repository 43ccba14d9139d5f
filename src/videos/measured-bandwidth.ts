import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as HLS from 'hls-parser';
import { combine, measureBandwidth, withMeasuredBandwidth, withMpdBandwidth, type Bandwidth } from '../media/bandwidth';
import { DASH_MANIFEST, MASTER_PLAYLIST } from '../media/ffmpeg-args';
import { audioPlaylistUri, parseMediaPlaylist } from '../media/playlists';

/**
 * Rewrites the manifests of a finished encode in `dir` so they advertise the rates the segments
 * really have (peak and average per variant, audio included), not the encoder's settings: with
 * capped CRF the muxer's own figure is a guess from the first segment.
 */
export async function advertiseMeasuredBandwidth(dir: string): Promise<void> {
  const masterFile = path.join(dir, MASTER_PLAYLIST);
  const master = await readFile(masterFile, 'utf8');
  const parsed = HLS.parse(master);
  if (!parsed.isMasterPlaylist) throw new Error('Not an HLS master playlist');
  const audioUri = audioPlaylistUri(master);
  const audio = audioUri ? await measurePlaylist(dir, audioUri) : null;
  const byUri = new Map<string, Bandwidth>();
  const peakById = new Map<string, number>();
  for (const v of parsed.variants) {
    const video = await measurePlaylist(dir, v.uri);
    byUri.set(v.uri, combine(video, audio));
    const id = representationId(v.uri);
    if (id !== null) peakById.set(id, video.peak);
  }
  const audioId = audioUri ? representationId(audioUri) : null;
  if (audio && audioId !== null) peakById.set(audioId, audio.peak);
  await writeFile(masterFile, withMeasuredBandwidth(master, byUri));
  const mpdFile = path.join(dir, DASH_MANIFEST);
  await writeFile(mpdFile, withMpdBandwidth(await readFile(mpdFile, 'utf8'), peakById));
}

async function measurePlaylist(dir: string, uri: string): Promise<Bandwidth> {
  const files = parseMediaPlaylist(await readFile(path.join(dir, uri), 'utf8'));
  const sizes = await Promise.all(files.segments.map(async (s) => ({ bytes: (await stat(path.join(dir, s.uri))).size, duration: s.duration })));
  const target = Math.ceil(Math.max(...files.segments.map((s) => s.duration)));
  return measureBandwidth(sizes, target);
}

/** The DASH muxer names media playlists media_<representation id>.m3u8. */
function representationId(uri: string): string | null {
  return /^media_(\d+)\.m3u8$/.exec(uri)?.[1] ?? null;
}
