/** A rung of the ladder as the player sees it in the manifest. */
export interface Level {
  index: number;
  height: number;
  bitrate: number;
}

/** A caption track as the manifest lists it; `index` is the engine's own. */
export interface TextTrackInfo {
  index: number;
  language: string;
  label: string;
}

export type EngineKind = 'hls' | 'dash';

export interface Engine {
  /** index, or 'auto' for adaptive switching. */
  setLevel(level: number | 'auto'): void;
  /** A caption track's index, or null for none. */
  setTextTrack(index: number | null): void;
  destroy(): void;
}

export interface EngineEvents {
  onLevels(levels: Level[]): void;
  onTextTracks(tracks: TextTrackInfo[]): void;
  onLevelSwitched(height: number): void;
  onError(message: string): void;
}

async function attachHls(video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    // Safari plays HLS natively; it has no per-rung API, so the menu stays on Auto.
    // Its caption menu is the browser's own.
    video.src = url;
    return { setLevel: () => undefined, setTextTrack: () => undefined, destroy: () => video.removeAttribute('src') };
  }
  const hls = new Hls({ capLevelToPlayerSize: false });
  hls.on(Hls.Events.MANIFEST_PARSED, () => ev.onLevels(hls.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate }))));
  // Listed once the subtitle controller has read the master (after MANIFEST_PARSED handlers ran).
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_e, data) =>
    ev.onTextTracks(data.subtitleTracks.map((t, index) => ({ index, language: t.lang ?? '', label: t.name }))),
  );
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => ev.onLevelSwitched(hls.levels[data.level]?.height ?? 0));
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) ev.onError(`HLS playback failed: ${data.details}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return {
    // currentLevel switches now (flushing the buffer), as a user who picked a quality expects.
    setLevel: (level) => void (hls.currentLevel = level === 'auto' ? -1 : level),
    setTextTrack(index) {
      hls.subtitleDisplay = index !== null;
      hls.subtitleTrack = index ?? -1;
    },
    destroy: () => hls.destroy(),
  };
}

async function attachDash(video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  const dashjs = await import('dashjs');
  const player = dashjs.MediaPlayer().create();
  // Captions are shown by the browser from the MPD's text/vtt sets (see mpdTextTracks): dash.js's
  // own sideloaded-text pipeline (5.x) often left a newly chosen track without cues in the browser
  // test, so it stays off.
  player.updateSettings({ streaming: { text: { defaultEnabled: false } } });
  const captions = new AbortController();
  const trackElements: HTMLTrackElement[] = [];
  mpdTextTracks(url, captions.signal).then(
    (found) => {
      for (const t of found) {
        const el = document.createElement('track');
        Object.assign(el, { kind: t.captions ? 'captions' : 'subtitles', label: t.label, srclang: t.language, src: t.src });
        video.appendChild(el);
        el.track.mode = 'disabled';
        trackElements.push(el);
      }
      ev.onTextTracks(found.map((t, index) => ({ index, language: t.language, label: t.label })));
    },
    () => ev.onTextTracks([]), // no captions menu: playback does not depend on it
  );
  const events = dashjs.MediaPlayer.events;
  player.on(events.STREAM_INITIALIZED, () =>
    ev.onLevels(player.getRepresentationsByType('video').map((r) => ({ index: r.index, height: r.height, bitrate: r.bandwidth }))),
  );
  player.on(events.QUALITY_CHANGE_RENDERED, (e) => {
    if (e.mediaType === 'video') ev.onLevelSwitched(e.newRepresentation?.height ?? 0);
  });
  player.on(events.ERROR, (e) => ev.onError(`DASH playback failed: ${JSON.stringify(e.error)}`));
  player.initialize(video, url, false);
  return {
    setLevel(level) {
      player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: level === 'auto' } } } });
      if (level !== 'auto') player.setRepresentationForTypeByIndex('video', level, true);
    },
    setTextTrack(index) {
      trackElements.forEach((el, i) => (el.track.mode = i === index ? 'showing' : 'disabled'));
    },
    destroy() {
      captions.abort();
      for (const el of trackElements) el.remove();
      player.destroy();
    },
  };
}

interface MpdTextTrack {
  language: string;
  label: string;
  captions: boolean;
  /** The WebVTT file: the BaseURL resolved against the MPD (which carries the token of a private video). */
  src: string;
}

/** The caption tracks an MPD lists: one text/vtt AdaptationSet each, the file named by its Representation's BaseURL. */
async function mpdTextTracks(url: string, signal: AbortSignal): Promise<MpdTextTrack[]> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`MPD: HTTP ${res.status}`);
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  const out: MpdTextTrack[] = [];
  for (const set of Array.from(doc.getElementsByTagName('AdaptationSet'))) {
    const base = set.getElementsByTagName('BaseURL')[0]?.textContent?.trim();
    if (set.getAttribute('mimeType') !== 'text/vtt' || !base) continue;
    const language = set.getAttribute('lang') ?? '';
    out.push({
      language,
      label: set.getElementsByTagName('Label')[0]?.textContent?.trim() || language,
      captions: set.getElementsByTagName('Role')[0]?.getAttribute('value') === 'caption',
      src: new URL(base, res.url).toString(),
    });
  }
  return out;
}

/** Loads the player library only when a video is opened, so the library page stays light. */
export function attachEngine(kind: EngineKind, video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  return kind === 'hls' ? attachHls(video, url, ev) : attachDash(video, url, ev);
}
