import { useState, type RefObject } from 'react';
import { useClient, useMutation } from 'urql';
import { errorMessage } from '../client';
import { formatBytes, formatTime } from '../format';
import { UpdateVideoMutation, VideoDownloadQuery, type WatchVideo } from '../graphql/operations';
import { uploadPoster } from '../upload/poster-upload';
import { useAction } from './use-action';

const POLL_MS = 2000;
const GIVE_UP_MS = 5 * 60 * 1000;

/**
 * The MP4 download: asks for it, waits while the server prepares it (the first request of a
 * rung starts a remux), then hands the URL to the browser, whose Content-Disposition makes it a download.
 */
export function DownloadButton({ video }: { video: WatchVideo }) {
  const client = useClient();
  const heights = video.renditions.map((r) => r.height);
  const [height, setHeight] = useState<number | null>(heights[0] ?? null);
  const [state, setState] = useState<{ busy: boolean; message: string | null }>({ busy: false, message: null });

  async function download() {
    setState({ busy: true, message: 'Preparing the download…' });
    for (const until = Date.now() + GIVE_UP_MS; Date.now() < until; await new Promise((r) => setTimeout(r, POLL_MS))) {
      const r = await client.query(VideoDownloadQuery, { id: video.id, height }, { requestPolicy: 'network-only' }).toPromise();
      const d = r.data?.video?.download;
      if (r.error) return setState({ busy: false, message: errorMessage(r.error) });
      if (!d) return setState({ busy: false, message: 'Downloads are not available for this video.' });
      if (d.status === 'FAILED') return setState({ busy: false, message: 'The download could not be prepared; try again in a few minutes.' });
      if (d.status === 'READY' && d.url) {
        location.assign(d.url);
        return setState({ busy: false, message: `${d.filename} (${formatBytes(d.sizeBytes)})` });
      }
    }
    setState({ busy: false, message: 'The download is taking long; try again later.' });
  }

  return (
    <div className="tool" data-testid="download">
      {heights.length > 1 && (
        <label>
          Download resolution
          <select value={height ?? ''} onChange={(e) => setHeight(Number(e.target.value))} disabled={state.busy}>
            {heights.map((h) => <option key={h} value={h}>{h}p</option>)}
          </select>
        </label>
      )}
      <button type="button" onClick={() => void download()} disabled={state.busy}>Download MP4</button>
      {state.message && <span className="hint" role="status">{state.message}</span>}
    </div>
  );
}

/** For the owner: who may download, and the poster (the frame under the player, or an image). */
export function OwnerTools({ video, token, player, onPosterChanged }: { video: WatchVideo; token: string; player: RefObject<HTMLVideoElement>; onPosterChanged: () => void }) {
  const [, update] = useMutation(UpdateVideoMutation);
  const { busy, message, run } = useAction(onPosterChanged);
  // Shown at once; put back if the server refuses.
  const [allow, setAllow] = useState(video.allowDownload);
  const ready = video.status === 'READY';

  const mutate = async (input: { allowDownload?: boolean; posterTimeSeconds?: number }) => {
    const r = await update({ id: video.id, input });
    if (r.error) throw new Error(errorMessage(r.error));
  };

  return (
    <section className="card owner-tools" aria-label="Owner tools">
      <label className="inline">
        <input type="checkbox" checked={allow} disabled={busy} onChange={(e) => {
          const next = e.target.checked;
          setAllow(next);
          void run(async () => {
            await mutate({ allowDownload: next }).catch((err: unknown) => {
              setAllow(!next);
              throw err;
            });
            return next ? 'Viewers may download this video.' : 'Only you may download this video.';
          });
        }} />
        Allow downloads
      </label>
      {ready && (
        <div className="tool">
          <button type="button" disabled={busy} onClick={() => void run(async () => {
            const at = player.current?.currentTime ?? 0;
            await mutate({ posterTimeSeconds: at });
            return `The poster is now the frame at ${formatTime(at)}.`;
          })}>Use this frame as poster</button>
          <label>
            Poster image
            <input type="file" accept="image/jpeg,image/png,image/webp" disabled={busy} onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void run(async () => {
                await uploadPoster(token, video.id, file);
                return 'The poster is now your image.';
              });
            }} />
          </label>
        </div>
      )}
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'hint'}>{message.text}</p>}
    </section>
  );
}
