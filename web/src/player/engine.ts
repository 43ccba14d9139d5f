/** A rung of the ladder as the player sees it in the manifest. */
export interface Level {
  index: number;
  height: number;
  bitrate: number;
}

export type EngineKind = 'hls' | 'dash';

export interface Engine {
  /** index, or 'auto' for adaptive switching. */
  setLevel(level: number | 'auto'): void;
  destroy(): void;
}

export interface EngineEvents {
  onLevels(levels: Level[]): void;
  onLevelSwitched(height: number): void;
  onError(message: string): void;
}

async function attachHls(video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    // Safari plays HLS natively; it has no per-rung API, so the menu stays on Auto.
    video.src = url;
    return { setLevel: () => undefined, destroy: () => video.removeAttribute('src') };
  }
  const hls = new Hls({ capLevelToPlayerSize: false });
  hls.on(Hls.Events.MANIFEST_PARSED, () => ev.onLevels(hls.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate }))));
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => ev.onLevelSwitched(hls.levels[data.level]?.height ?? 0));
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) ev.onError(`HLS playback failed: ${data.details}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return {
    // currentLevel switches now (flushing the buffer), as a user who picked a quality expects.
    setLevel: (level) => void (hls.currentLevel = level === 'auto' ? -1 : level),
    destroy: () => hls.destroy(),
  };
}

async function attachDash(video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  const dashjs = await import('dashjs');
  const player = dashjs.MediaPlayer().create();
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
    destroy: () => player.destroy(),
  };
}

/** Loads the player library only when a video is opened, so the library page stays light. */
export function attachEngine(kind: EngineKind, video: HTMLVideoElement, url: string, ev: EngineEvents): Promise<Engine> {
  return kind === 'hls' ? attachHls(video, url, ev) : attachDash(video, url, ev);
}
