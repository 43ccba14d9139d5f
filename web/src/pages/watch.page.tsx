import { useEffect, useRef, useState, type PointerEvent, type RefObject } from 'react';
import { useMutation, useQuery } from 'urql';
import { errorMessage } from '../client';
import { StatusBadge } from '../components/video-card';
import { CaptionTools } from '../components/caption-tools';
import { DownloadButton, OwnerTools } from '../components/video-tools';
import { formatTime } from '../format';
import { ContinueWatchingQuery, MeQuery, RecordPlaybackMutation, WatchVideoQuery, type WatchVideo } from '../graphql/operations';
import { CAPTIONS_OFF, rememberCaptions, rememberedCaptions, trackFor } from '../player/captions';
import { attachEngine, type Engine, type EngineKind, type Level, type TextTrackInfo } from '../player/engine';
import { cueAt, parseStoryboardVtt, type StoryboardCue } from '../player/storyboard';
import { navigate, useLocation } from '../router';
import { useToken } from '../session';

const RECORD_EVERY_MS = 5000;

function useStoryboard(video: WatchVideo): StoryboardCue[] {
  const [cues, setCues] = useState<StoryboardCue[]>([]);
  const sb = video.storyboard;
  useEffect(() => {
    if (!sb) return;
    const abort = new AbortController();
    fetch(sb.vttUrl, { signal: abort.signal })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((text) => setCues(parseStoryboardVtt(text, new URL(sb.vttUrl, location.href).toString(), sb.imageUrl)))
      .catch(() => setCues([])); // previews are a nicety: the player works without them
    return () => abort.abort();
  }, [sb?.vttUrl]); // eslint-disable-line react-hooks/exhaustive-deps
  return cues;
}

function Player({ video, engineKind, resumeAt, videoRef: ref }: { video: WatchVideo; engineKind: EngineKind; resumeAt: number | null; videoRef: RefObject<HTMLVideoElement> }) {
  const token = useToken();
  const engine = useRef<Engine | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [quality, setQuality] = useState<string>('auto');
  const [textTracks, setTextTracks] = useState<TextTrackInfo[]>([]);
  const [captions, setCaptions] = useState<string>(CAPTIONS_OFF);
  const [renderedHeight, setRenderedHeight] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(video.durationSeconds ?? 0);
  const [resumed, setResumed] = useState<number | null>(null);
  const [hover, setHover] = useState<{ time: number; left: number } | null>(null);
  const cues = useStoryboard(video);
  const [, recordPlayback] = useMutation(RecordPlaybackMutation);
  const url = engineKind === 'hls' ? video.playback!.hlsUrl : video.playback!.dashUrl;

  // Remember where the viewer is, every few seconds while playing and whenever they pause.
  // Declared before the engine so that, on unmount, it records before the engine detaches.
  useEffect(() => {
    if (!token) return;
    const el = ref.current!;
    let last = -1;
    const record = () => {
      const position = Math.floor(el.currentTime * 10) / 10;
      if (position === last || position <= 0) return;
      last = position;
      void recordPlayback({ videoId: video.id, positionSeconds: position });
    };
    const timer = setInterval(() => !el.paused && record(), RECORD_EVERY_MS);
    el.addEventListener('pause', record);
    return () => {
      clearInterval(timer);
      el.removeEventListener('pause', record);
      record(); // leaving the page mid-video keeps the latest position too
    };
  }, [token, video.id, recordPlayback]);

  useEffect(() => {
    const el = ref.current!;
    let cancelled = false;
    setLevels([]);
    setQuality('auto');
    setTextTracks([]);
    setError(null);
    attachEngine(engineKind, el, url, {
      onLevels: (l) => !cancelled && setLevels([...l].sort((a, b) => b.height - a.height)),
      onTextTracks: (t) => !cancelled && setTextTracks(t),
      onLevelSwitched: (h) => !cancelled && setRenderedHeight(h),
      onError: (m) => !cancelled && setError(m),
    }).then(
      (e) => (cancelled ? e.destroy() : (engine.current = e)),
      (err: unknown) => setError(String(err)),
    );
    return () => {
      cancelled = true;
      engine.current?.destroy();
      engine.current = null;
    };
  }, [engineKind, url]);

  // The viewer's last choice (this browser), applied whenever the manifest lists tracks.
  useEffect(() => {
    const track = trackFor(textTracks, rememberedCaptions());
    setCaptions(track?.language ?? CAPTIONS_OFF);
    if (textTracks.length) engine.current?.setTextTrack(track?.index ?? null);
  }, [textTracks]);

  function pickCaptions(language: string) {
    rememberCaptions(language);
    const track = trackFor(textTracks, language);
    setCaptions(track?.language ?? CAPTIONS_OFF);
    engine.current?.setTextTrack(track?.index ?? null);
  }

  function onLoadedMetadata() {
    const el = ref.current!;
    setDuration(el.duration);
    if (resumeAt && resumed === null && resumeAt > 1 && resumeAt < el.duration - 1) {
      el.currentTime = resumeAt;
      setResumed(resumeAt);
    }
  }

  function pickQuality(value: string) {
    setQuality(value);
    engine.current?.setLevel(value === 'auto' ? 'auto' : Number(value));
  }

  function onScrubHover(e: PointerEvent<HTMLInputElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
    setHover({ time: ratio * duration, left: ratio * 100 });
  }

  const cue = hover && cues.length ? cueAt(cues, hover.time) : null;
  return (
    <div className="player" data-engine={engineKind} data-rendered-height={renderedHeight ?? ''}>
      <video
        ref={ref}
        poster={video.poster?.url}
        playsInline
        aria-label={`Video: ${video.title}`}
        onClick={() => (ref.current!.paused ? void ref.current!.play() : ref.current!.pause())}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onTimeUpdate={() => setTime(ref.current!.currentTime)}
        onLoadedMetadata={onLoadedMetadata}
      />
      <div className="controls">
        <button type="button" onClick={() => (playing ? ref.current!.pause() : void ref.current!.play())}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <div className="scrub">
          {cue && hover && (
            <div
              className="scrub-thumb"
              data-testid="scrub-thumbnail"
              style={{
                left: `${hover.left}%`,
                width: cue.w,
                height: cue.h,
                backgroundImage: `url("${cue.url}")`,
                backgroundPosition: `-${cue.x}px -${cue.y}px`,
              }}
            >
              <span>{formatTime(hover.time)}</span>
            </div>
          )}
          <input
            type="range"
            aria-label="Seek"
            min={0}
            max={duration || 0}
            step={0.1}
            value={time}
            aria-valuetext={`${formatTime(time)} of ${formatTime(duration)}`}
            onChange={(e) => {
              ref.current!.currentTime = Number(e.target.value);
              setHover({ time: Number(e.target.value), left: (Number(e.target.value) / (duration || 1)) * 100 });
            }}
            onPointerMove={onScrubHover}
            onPointerLeave={() => setHover(null)}
            onBlur={() => setHover(null)}
          />
        </div>
        <span className="time">{formatTime(time)} / {formatTime(duration)}</span>
        <label>
          Quality
          <select value={quality} onChange={(e) => pickQuality(e.target.value)} disabled={levels.length === 0}>
            <option value="auto">Auto{renderedHeight ? ` (${renderedHeight}p)` : ''}</option>
            {levels.map((l) => (
              <option key={l.index} value={l.index}>{l.height}p · {Math.round(l.bitrate / 1000)} kb/s</option>
            ))}
          </select>
        </label>
        {textTracks.length > 0 && (
          <label>
            Captions
            <select value={captions} onChange={(e) => pickCaptions(e.target.value)}>
              <option value={CAPTIONS_OFF}>Off</option>
              {textTracks.map((t) => (
                <option key={`${t.index}:${t.language}`} value={t.language}>{t.label}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          Player
          <select value={engineKind} onChange={(e) => navigate(`/watch/${video.id}?engine=${e.target.value}`, true)}>
            <option value="hls">HLS (hls.js)</option>
            <option value="dash">DASH (dash.js)</option>
          </select>
        </label>
      </div>
      {resumed !== null && <p data-testid="resumed-playback">Resumed at {formatTime(resumed)}.</p>}
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}

export function WatchPage({ id }: { id: string }) {
  const token = useToken();
  const location = useLocation();
  const engineKind: EngineKind = new URLSearchParams(location.split('?')[1] ?? '').get('engine') === 'dash' ? 'dash' : 'hls';
  const [{ data, error, fetching }, refetch] = useQuery({ query: WatchVideoQuery, variables: { id } });
  const [history] = useQuery({ query: ContinueWatchingQuery, variables: { first: 50 }, pause: !token, requestPolicy: 'network-only' });
  const [me] = useQuery({ query: MeQuery, pause: !token });
  // The player's element, so "Use this frame as poster" reads the position at the click (a copy
  // kept by timeupdate could lag behind a seek or a pause by an event).
  const videoRef = useRef<HTMLVideoElement>(null);
  const video = data?.video;

  if (error && !data) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!data) return fetching ? <p aria-busy="true">Loading…</p> : null;
  if (!video) return <h1>Video not found</h1>;
  // Wait for the history so the player starts at the right place (history is best-effort: an error means none).
  const historyDone = !token || !!history.data || !!history.error;
  const resumeAt = history.data?.continueWatching.find((e) => e.video.id === id)?.positionSeconds ?? null;
  const isOwner = !!token && me.data?.me?.id === video.uploader.id;

  return (
    <article className="watch">
      <h1>{video.title}</h1>
      {video.playback && historyDone ? (
        <Player key={`${engineKind}:${video.id}`} video={video} engineKind={engineKind} resumeAt={resumeAt} videoRef={videoRef} />
      ) : !video.playback ? (
        <p className="card">
          <StatusBadge status={video.status} /> {video.status === 'FAILED' ? video.failureReason : 'This video is not playable yet.'}
        </p>
      ) : null}
      <p className="by">
        by {video.uploader.displayName} · {video.visibility.toLowerCase()} · {video.renditions.map((r) => `${r.height}p`).join(', ')}
      </p>
      {video.description && <p>{video.description}</p>}
      {video.status === 'READY' && (isOwner || video.allowDownload) && <DownloadButton video={video} />}
      {isOwner && token && <OwnerTools video={video} token={token} player={videoRef} onPosterChanged={() => refetch({ requestPolicy: 'network-only' })} />}
      {isOwner && token && video.status !== 'UPLOADING' && video.status !== 'FAILED' && (
        <CaptionTools video={video} token={token} onChanged={() => refetch({ requestPolicy: 'network-only' })} />
      )}
    </article>
  );
}
