import { useState, type FormEvent } from 'react';
import { formatBytes } from '../format';
import type { Visibility } from '../graphql/operations';
import { isSameFile, type PendingUpload } from '../upload/tus-upload';
import type { UploadFields } from '../upload/use-tus-upload';

/** File (picked or dropped), title, description and visibility; a file matching the interrupted upload resumes it. */
export function UploadForm(props: {
  file: File | null;
  onFile(file: File | null): void;
  pending: PendingUpload | null;
  resuming: boolean;
  busy: boolean;
  signedIn: boolean;
  finished: boolean;
  onSubmit(fields: UploadFields): void;
}) {
  const { file, pending, resuming, busy } = props;
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('PUBLIC');

  function submit(e: FormEvent) {
    e.preventDefault();
    if (file) props.onSubmit({ title, description, visibility });
  }

  return (
    <form className="card" onSubmit={submit} aria-label="Upload">
      <div
        className="dropzone"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          const dropped = e.dataTransfer.files[0];
          if (dropped && !busy) props.onFile(dropped);
        }}
      >
        <label>
          Video file
          <input
            type="file"
            name="file"
            accept="video/*"
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              props.onFile(f);
              if (f && pending && isSameFile(f, pending)) setTitle(pending.title);
            }}
          />
        </label>
        <span className="hint">{file ? `${file.name} · ${formatBytes(file.size)}` : 'or drop a file here'}</span>
      </div>
      <label>
        Title
        <input name="title" required maxLength={200} value={title} disabled={busy || resuming} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Description
        <textarea name="description" rows={3} value={description} disabled={busy || resuming} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        Visibility
        <select name="visibility" value={visibility} disabled={busy || resuming} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="PUBLIC">Public</option>
          <option value="UNLISTED">Unlisted</option>
          <option value="PRIVATE">Private</option>
        </select>
      </label>
      {!busy && (
        <button type="submit" disabled={!file || !props.signedIn || props.finished}>
          {!props.signedIn ? 'Sign in to upload' : resuming ? 'Resume upload' : 'Upload'}
        </button>
      )}
    </form>
  );
}
