import { formatTime } from '../format';
import type { VideoCard as Video } from '../graphql/operations';
import { Link } from '../router';

const statusLabel: Record<Video['status'], string> = {
  UPLOADING: 'Uploading',
  QUEUED: 'Queued',
  PROCESSING: 'Processing',
  READY: 'Ready',
  FAILED: 'Failed',
};

export function StatusBadge({ status }: { status: Video['status'] }) {
  return <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>{statusLabel[status]}</span>;
}

export function VideoCard({ video, resumeAt }: { video: Video; resumeAt?: number }) {
  return (
    <li className="video-card" data-video-id={video.id}>
      <Link to={`/watch/${video.id}`} className="thumb" aria-label={`Watch ${video.title}`}>
        {video.poster ? (
          <img src={video.poster.url} width={video.poster.width} height={video.poster.height} alt="" loading="lazy" />
        ) : (
          <span className="no-poster" aria-hidden="true">▶</span>
        )}
        {video.durationSeconds !== null && <span className="duration">{formatTime(video.durationSeconds)}</span>}
      </Link>
      <div className="meta">
        <Link to={`/watch/${video.id}`} className="title">{video.title}</Link>
        <div className="badges">
          {video.status !== 'READY' && <StatusBadge status={video.status} />}
          {video.visibility !== 'PUBLIC' && <span className="badge">{video.visibility === 'PRIVATE' ? 'Private' : 'Unlisted'}</span>}
          {video.uploader && <span className="by">by {video.uploader.displayName}</span>}
        </div>
        {resumeAt !== undefined && <span className="resume">Resume at {formatTime(resumeAt)}</span>}
        {video.status === 'FAILED' && video.failureReason && <p className="error">{video.failureReason}</p>}
      </div>
    </li>
  );
}
