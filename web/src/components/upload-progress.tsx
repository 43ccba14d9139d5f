import { formatBytes, formatEta, processingPercent } from '../format';
import type { ProgressEvent, WatchVideo } from '../graphql/operations';
import { Link } from '../router';
import { ProgressBar } from './progress-bar';
import { StatusBadge } from './video-card';

export type Stage = 'pick' | 'creating' | 'uploading' | 'paused' | 'processing' | 'ready' | 'failed';

const phaseLabel: Record<string, string> = {
  UPLOAD: 'Receiving upload',
  QUEUED: 'Waiting in line',
  RETRY: 'Retrying',
  PROBE: 'Checking the file',
  TRANSCODE: 'Transcoding',
  THUMBNAILS: 'Poster and storyboard',
  PUBLISH: 'Publishing',
  DONE: 'Done',
};

function processingText(ev: ProgressEvent | null, stage: Stage): string {
  if (stage === 'ready') return 'Ready';
  if (stage === 'failed') return 'Failed';
  if (!ev || ev.phase === 'UPLOAD') return 'Waiting for processing to start';
  const label = phaseLabel[ev.phase] ?? ev.phase;
  return `${label}${ev.rendition ? ` ${ev.rendition}p` : ''} · ${Math.round(processingPercent(ev.percent))}%`;
}

/** Beside the bar: how long is left, or how many jobs are ahead, or where a retry starts. */
function processingDetail(ev: ProgressEvent | null, stage: Stage): string | null {
  if (!ev || stage === 'ready' || stage === 'failed') return null;
  if (ev.status === 'QUEUED' && ev.queuePosition != null) {
    return ev.queuePosition === 0 ? 'Next in line' : `${ev.queuePosition} ${ev.queuePosition === 1 ? 'video' : 'videos'} ahead`;
  }
  if (ev.phase === 'RETRY') return `Attempt ${ev.attempt ?? 2} starts again from ${(phaseLabel[ev.restartPhase ?? ''] ?? ev.restartPhase ?? 'the start').toLowerCase()}`;
  if (ev.etaSeconds != null && ev.status === 'PROCESSING') return ev.etaSeconds < 10 ? 'A few seconds left' : `About ${formatEta(ev.etaSeconds)} left`;
  return null;
}

/** The two bars of an upload: bytes sent (from tus), then processing (from the videoProgress subscription). */
export function UploadProgress(props: {
  stage: Stage;
  bytes: { sent: number; total: number };
  resumedAt: number | null;
  processing: ProgressEvent | null;
  watchNowId: string | null;
  done: WatchVideo | null;
  canResume: boolean;
  onPause(): void;
  onResume(): void;
  onCancel(): void;
}) {
  const { stage, bytes, resumedAt, processing, done } = props;
  return (
    <div className="card" aria-live="polite" data-testid="upload-status" data-stage={stage}>
      <ProgressBar
        label="Upload"
        testId="bytes-progress"
        percent={bytes.total ? (bytes.sent / bytes.total) * 100 : 0}
        text={`${formatBytes(bytes.sent)} of ${formatBytes(bytes.total)}`}
      />
      {resumedAt !== null && (
        <p data-testid="resumed-from" data-offset={resumedAt}>Resumed at {formatBytes(resumedAt)}.</p>
      )}
      <ProgressBar
        label="Processing"
        testId="processing-progress"
        percent={stage === 'ready' ? 100 : processingPercent(processing?.percent ?? 0)}
        text={processingText(processing, stage)}
      />
      {processingDetail(processing, stage) && (
        <p className="progress-detail" data-testid="processing-detail">{processingDetail(processing, stage)}</p>
      )}
      <div className="actions">
        {stage === 'uploading' && <button type="button" onClick={props.onPause}>Pause</button>}
        {stage === 'paused' && <button type="button" onClick={props.onResume} disabled={!props.canResume}>Resume</button>}
        {(stage === 'uploading' || stage === 'paused') && <button type="button" onClick={props.onCancel}>Cancel upload</button>}
        {props.watchNowId && <Link to={`/watch/${props.watchNowId}`}>Watch now (processing continues)</Link>}
      </div>
      {done && (
        <div className="done" data-testid="upload-done">
          <StatusBadge status={done.status} />
          {done.poster && <img src={done.poster.url} alt={`Poster of ${done.title}`} width={done.poster.width / 2} height={done.poster.height / 2} />}
          {done.status === 'READY' && <Link to={`/watch/${done.id}`}>Watch “{done.title}”</Link>}
        </div>
      )}
    </div>
  );
}
