import { parse as parseHls, stringify as stringifyHls, types as hls } from 'hls-parser';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * Pure text work that puts caption tracks into the manifests a transcode wrote: the HLS master
 * gets one SUBTITLES rendition per track (group "subs", on every variant), each with a WebVTT
 * media playlist of one segment (the whole file); the DASH MPD gets one text/vtt AdaptationSet
 * per track, its file named by the Representation's BaseURL. URIs are relative, as everywhere
 * in the manifests, so delivery can add a token to them.
 */

export type CaptionTrackKind = 'SUBTITLES' | 'CAPTIONS';

export interface CaptionTrack {
  /** Canonical BCP 47 tag. */
  language: string;
  label: string;
  kind: CaptionTrackKind;
  /** HLS: the track's media playlist, relative to the master. */
  playlistUri: string;
  /** DASH: the WebVTT file, relative to the MPD. */
  fileUri: string;
}

export const SUBTITLE_GROUP = 'subs';

/** Apple's characteristics for captions meant for the deaf and hard of hearing (SDH). */
const SDH = 'public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound';

/** NAME must be unique in a group: a label used twice gets its language appended. */
function uniqueNames(tracks: readonly CaptionTrack[]): string[] {
  const count = new Map<string, number>();
  for (const t of tracks) count.set(t.label, (count.get(t.label) ?? 0) + 1);
  return tracks.map((t) => ((count.get(t.label) ?? 0) > 1 ? `${t.label} (${t.language})` : t.label));
}

/** The master with the tracks as SUBTITLES renditions, on every variant (replacing any there were). */
export function hlsMasterWithCaptions(master: string, tracks: readonly CaptionTrack[]): string {
  const playlist = parseHls(master);
  if (!(playlist instanceof hls.MasterPlaylist)) throw new Error('Expected an HLS master playlist');
  const names = uniqueNames(tracks);
  const renditions = tracks.map(
    (t, i) =>
      new hls.Rendition({
        type: 'SUBTITLES',
        groupId: SUBTITLE_GROUP,
        name: names[i]!,
        language: t.language,
        isDefault: false,
        autoselect: true,
        forced: false,
        uri: t.playlistUri,
        ...(t.kind === 'CAPTIONS' ? { characteristics: SDH } : {}),
      }),
  );
  for (const v of playlist.variants) v.subtitles = renditions.map((r) => r as typeof r & { type: 'SUBTITLES' });
  return stringifyHls(playlist);
}

/** A VOD media playlist of one WebVTT segment lasting the whole video. */
export function captionMediaPlaylist(durationSeconds: number, fileUri: string): string {
  const duration = Math.max(0.001, durationSeconds);
  return stringifyHls(
    new hls.MediaPlaylist({
      version: 3,
      targetDuration: Math.ceil(duration),
      playlistType: 'VOD',
      endlist: true,
      segments: [new hls.Segment({ uri: fileUri, duration: Number(duration.toFixed(3)), mediaSequenceNumber: 0, discontinuitySequence: 0 })],
    }),
  );
}

type XmlNode = Record<string, unknown>;
const ATTRS = ':@';
const TEXT = '#text';
const xmlOptions = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', allowBooleanAttributes: true, parseAttributeValue: false, parseTagValue: false, trimValues: false, processEntities: true } as const;

const nameOf = (n: XmlNode): string | undefined => Object.keys(n).find((k) => k !== ATTRS);
const childrenOf = (n: XmlNode): XmlNode[] => {
  const name = nameOf(n);
  const c = name ? n[name] : undefined;
  return Array.isArray(c) ? (c as XmlNode[]) : [];
};
const element = (name: string, attrs: Record<string, string>, children: XmlNode[] = []): XmlNode => ({ [name]: children, [ATTRS]: attrs });

/** The MPD with one text/vtt AdaptationSet per track at the end of each Period (replacing any there were). */
export function mpdWithCaptions(mpd: string, tracks: readonly CaptionTrack[]): string {
  const doc = new XMLParser(xmlOptions).parse(mpd) as XmlNode[];
  const root = doc.find((n) => nameOf(n) === 'MPD');
  if (!root) throw new Error('Expected a DASH MPD');
  const names = uniqueNames(tracks);
  for (const period of childrenOf(root).filter((n) => nameOf(n) === 'Period')) {
    const kept = childrenOf(period).filter((n) => !isTextSet(n));
    const ids = kept.filter((n) => nameOf(n) === 'AdaptationSet').map((n) => Number((n[ATTRS] as Record<string, string> | undefined)?.id)).filter(Number.isFinite);
    let next = ids.length ? Math.max(...ids) + 1 : 0;
    const sets = tracks.map((t, i) =>
      element('AdaptationSet', { id: String(next++), contentType: 'text', mimeType: 'text/vtt', lang: t.language }, [
        element('Role', { schemeIdUri: 'urn:mpeg:dash:role:2011', value: t.kind === 'CAPTIONS' ? 'caption' : 'subtitle' }),
        element('Label', {}, [{ [TEXT]: names[i]! }]),
        element('Representation', { id: `caption-${t.language}`, bandwidth: '256' }, [element('BaseURL', {}, [{ [TEXT]: t.fileUri }])]),
      ]),
    );
    period.Period = [...kept, ...sets];
  }
  return new XMLBuilder({ ...xmlOptions, format: false, suppressEmptyNode: true }).build(doc) as string;
}

function isTextSet(n: XmlNode): boolean {
  const attrs = n[ATTRS] as Record<string, string> | undefined;
  return nameOf(n) === 'AdaptationSet' && (attrs?.mimeType === 'text/vtt' || attrs?.contentType === 'text');
}
