import { useState } from 'react';
import { UploadForm } from '../components/upload-form';
import { UploadProgress } from '../components/upload-progress';
import { formatBytes } from '../format';
import { useToken } from '../session';
import { isSameFile } from '../upload/tus-upload';
import { useTusUpload } from '../upload/use-tus-upload';
import { SignInForm } from './sign-in.page';

export function UploadPage() {
  const token = useToken();
  const upload = useTusUpload();
  const [file, setFile] = useState<File | null>(null);
  const { stage, busy, pending } = upload;
  const resuming = !!(file && pending && isSameFile(file, pending));

  return (
    <section className="narrow">
      <h1>Upload a video</h1>
      {!token && (
        <div className="card" role="region" aria-label="Sign in to upload">
          <p>Sign in to upload. {file ? `Your file “${file.name}” stays selected.` : ''}</p>
          <SignInForm mode="signin" onDone={() => undefined} />
        </div>
      )}
      {pending && !busy && (
        <div className="card notice" data-testid="pending-upload">
          <p>
            The upload of “{pending.filename}” ({formatBytes(pending.size)}) was interrupted.
            {resuming ? ' Press “Resume upload” to continue.' : ' Choose the same file again to continue.'}
          </p>
          <button type="button" onClick={() => void upload.cancel()}>Discard it</button>
        </div>
      )}
      <UploadForm
        file={file}
        onFile={setFile}
        pending={pending}
        resuming={resuming}
        busy={busy}
        signedIn={!!token}
        finished={stage === 'ready'}
        onSubmit={(fields) => file && void upload.start(file, fields)}
      />

      {upload.error && <p role="alert" className="error" data-testid="upload-error">{upload.error}</p>}

      {stage !== 'pick' && (
        <UploadProgress
          stage={stage}
          bytes={{ sent: upload.bytes.sent, total: upload.bytes.total || file?.size || 0 }}
          resumedAt={upload.resumedAt}
          processing={upload.processing}
          watchNowId={upload.playable && stage !== 'ready' ? upload.videoId : null}
          done={upload.done}
          canResume={!!token}
          onPause={upload.pause}
          onResume={() => upload.resume(file)}
          onCancel={() => void upload.cancel()}
        />
      )}
    </section>
  );
}
