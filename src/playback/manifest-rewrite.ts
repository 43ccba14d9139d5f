import { parse as parseHls, stringify as stringifyHls, types as hls } from 'hls-parser';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { keepsRung } from './rungs';

/** How a manifest is adapted for one response: rungs above maxHeight dropped, a query (the token) on every URI. */
export interface ManifestRewrite {
  maxHeight: number | null;
  /** e.g. `token=…`; appended to relative URIs only, so it never travels to another host. */
  query: string | null;
}

export function needsRewrite(r: ManifestRewrite): boolean {
  return r.maxHeight !== null || r.query !== null;
}

/** Adds the query to a relative URI; absolute URIs (another host) are left alone. */
export function withQuery(uri: string, query: string | null): string {
  if (!query || /^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('//')) return uri;
  const hash = uri.indexOf('#');
  const [base, frag] = hash >= 0 ? [uri.slice(0, hash), uri.slice(hash)] : [uri, ''];
  return `${base}${base.includes('?') ? '&' : '?'}${query}${frag}`;
}

/** Master playlists lose variants above maxHeight; master and media playlists get the query on every URI. */
export function rewriteHls(text: string, r: ManifestRewrite): string {
  const playlist = parseHls(text);
  const done = new Set<object>();
  const tag = <T extends { uri?: string }>(o: T | undefined): void => {
    if (!o || done.has(o) || !o.uri) return;
    done.add(o);
    o.uri = withQuery(o.uri, r.query);
  };
  if (playlist instanceof hls.MasterPlaylist) {
    const kept = playlist.variants.filter((v) => keepsRung(v.resolution?.height, r.maxHeight));
    // Never an empty master: if nothing fits, the smallest variant stays.
    playlist.variants = kept.length ? kept : smallest(playlist.variants);
    for (const v of playlist.variants) {
      tag(v);
      for (const group of [v.audio, v.video, v.subtitles, v.closedCaptions]) group.forEach(tag);
    }
    playlist.sessionDataList.forEach(tag);
    playlist.sessionKeyList.forEach(tag);
  } else {
    for (const s of playlist.segments) {
      tag(s);
      tag(s.map);
      tag(s.key);
    }
  }
  return stringifyHls(playlist);
}

function smallest(variants: hls.Variant[]): hls.Variant[] {
  const sorted = [...variants].sort((a, b) => (a.resolution?.height ?? 0) - (b.resolution?.height ?? 0));
  return sorted.slice(0, 1);
}

type XmlNode = Record<string, unknown>;
const ATTRS = ':@';
const xmlOptions = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', allowBooleanAttributes: true, parseAttributeValue: false, parseTagValue: false, trimValues: false, processEntities: true } as const;

/** DASH: Representations above maxHeight dropped (never the last video one), the query on every URL attribute. */
export function rewriteMpd(text: string, r: ManifestRewrite): string {
  const doc = new XMLParser(xmlOptions).parse(text) as XmlNode[];
  visit(doc, r);
  return new XMLBuilder({ ...xmlOptions, format: false, suppressEmptyNode: false }).build(doc) as string;
}

const nameOf = (n: XmlNode): string | undefined => Object.keys(n).find((k) => k !== ATTRS);
const attrsOf = (n: XmlNode): Record<string, string> | undefined => n[ATTRS] as Record<string, string> | undefined;
const childrenOf = (n: XmlNode): XmlNode[] => {
  const name = nameOf(n);
  const c = name ? n[name] : undefined;
  return Array.isArray(c) ? (c as XmlNode[]) : [];
};

function visit(nodes: XmlNode[], r: ManifestRewrite, inTextSet = false): void {
  for (const node of nodes) {
    const name = nameOf(node);
    const attrs = attrsOf(node);
    // BaseURL text is left alone (URL resolution drops its query, the attributes below carry it),
    // except in a text/vtt set, where it names the caption file itself.
    if (name === 'BaseURL' && inTextSet) {
      for (const t of childrenOf(node)) if (typeof t['#text'] === 'string' && t['#text'].trim()) t['#text'] = withQuery(t['#text'].trim(), r.query);
    }
    if (attrs) {
      for (const key of ['initialization', 'media', 'sourceURL', 'index']) {
        if (attrs[key] !== undefined && name !== 'Representation') attrs[key] = withQuery(attrs[key], r.query);
      }
    }
    if (name === 'AdaptationSet') filterRepresentations(node, r.maxHeight);
    visit(childrenOf(node), r, inTextSet || (name === 'AdaptationSet' && attrs?.mimeType === 'text/vtt'));
  }
}

function filterRepresentations(set: XmlNode, maxHeight: number | null): void {
  if (maxHeight === null) return;
  const name = nameOf(set);
  if (!name) return;
  const children = childrenOf(set);
  const reps = children.filter((c) => nameOf(c) === 'Representation');
  const heightOf = (c: XmlNode) => (attrsOf(c)?.height ? Number(attrsOf(c)?.height) : null);
  const keep = reps.filter((c) => keepsRung(heightOf(c), maxHeight));
  const survivors = new Set(keep.length ? keep : [...reps].sort((a, b) => (heightOf(a) ?? 0) - (heightOf(b) ?? 0)).slice(0, 1));
  set[name] = children.filter((c) => nameOf(c) !== 'Representation' || survivors.has(c));
  const attrs = attrsOf(set);
  if (attrs?.maxHeight && survivors.size) {
    const heights = [...survivors].map(heightOf).filter((h): h is number => h !== null);
    if (heights.length) attrs.maxHeight = String(Math.max(...heights));
    const widths = [...survivors].map((c) => Number(attrsOf(c)?.width)).filter((w) => Number.isFinite(w));
    if (attrs.maxWidth && widths.length) attrs.maxWidth = String(Math.max(...widths));
  }
}
