import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from '../client';
import { RemoveCaptionMutation, type CaptionKind, type WatchVideo } from '../graphql/operations';
import { uploadCaption } from '../upload/caption-upload';
import { useAction } from './use-action';

/**
 * For the owner: the video's caption tracks, each removable, and a form that adds one from a
 * WebVTT or SRT file (a language that has a track already replaces it). The server checks the
 * file; its message is shown as is.
 */
export function CaptionTools({ video, token, onChanged }: { video: WatchVideo; token: string; onChanged: () => void }) {
  const [, removeCaption] = useMutation(RemoveCaptionMutation);
  const [language, setLanguage] = useState('');
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<CaptionKind>('SUBTITLES');
  const [file, setFile] = useState<File | null>(null);
  const { busy, message, run } = useAction(onChanged);


  function add(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    void run(async () => {
      await uploadCaption(token, video.id, { language, label, kind }, file);
      setFile(null);
      setLanguage('');
      setLabel('');
      (e.target as HTMLFormElement).reset();
      return `Captions “${label}” added.`;
    });
  }

  return (
    <section className="card caption-tools" aria-label="Caption tracks">
      <h2>Captions</h2>
      {video.captions.length === 0 ? (
        <p className="hint">No caption tracks yet.</p>
      ) : (
        <ul>
          {video.captions.map((c) => (
            <li key={c.id}>
              <a href={c.url} target="_blank" rel="noreferrer">{c.label}</a> <span className="hint">{c.language} · {c.kind.toLowerCase()}</span>{' '}
              <button type="button" disabled={busy} aria-label={`Remove ${c.label}`} onClick={() => void run(async () => {
                const r = await removeCaption({ videoId: video.id, language: c.language });
                if (r.error) throw new Error(errorMessage(r.error));
                return `Captions “${c.label}” removed.`;
              })}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <form className="tool" onSubmit={add}>
        <label>
          Language
          <input value={language} onChange={(e) => setLanguage(e.target.value)} placeholder="en-US" required maxLength={35} disabled={busy} />
        </label>
        <label>
          Label
          <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="English" required maxLength={100} disabled={busy} />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as CaptionKind)} disabled={busy}>
            <option value="SUBTITLES">Subtitles</option>
            <option value="CAPTIONS">Captions (SDH)</option>
          </select>
        </label>
        <label>
          Caption file (WebVTT or SRT)
          <input type="file" accept=".vtt,.srt,text/vtt,application/x-subrip" required disabled={busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={busy || !file}>Add captions</button>
      </form>
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'hint'}>{message.text}</p>}
    </section>
  );
}
