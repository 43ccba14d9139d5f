import { useEffect, useRef, useState } from 'react';
import type { Upload } from 'tus-js-client';
import { useClient, useMutation, useSubscription } from 'urql';
import { errorCode, errorMessage } from '../client';
import type { Stage } from '../components/upload-progress';
import {
  CreateUploadMutation,
  DeleteVideoMutation,
  VideoProgressSubscription,
  WatchVideoQuery,
  type ProgressEvent,
  type Visibility,
  type WatchVideo,
} from '../graphql/operations';
import { session, useToken } from '../session';
import { isSameFile, pendingUpload, processingUpload, startTusUpload, terminateUpload, type PendingUpload } from './tus-upload';

export interface UploadFields {
  title: string;
  description: string;
  visibility: Visibility;
}

/**
 * One resumable upload from start to READY: createUpload, the bytes over tus (pause, resume,
 * cancel, resume after a reload), then processing from the videoProgress subscription, with a
 * poll as a safety net for events missed while the WebSocket reconnected. A reload during
 * processing picks the video up again: the subscription's first event is where it stands.
 */
export function useTusUpload() {
  const token = useToken();
  const client = useClient();
  const [restored] = useState(() => (pendingUpload.load() ? null : processingUpload.load()));
  const [stage, setStage] = useState<Stage>(restored ? 'processing' : 'pick');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingUpload | null>(() => pendingUpload.load());
  const [videoId, setVideoId] = useState<string | null>(restored?.videoId ?? null);
  const [bytes, setBytes] = useState(restored ? { sent: restored.size, total: restored.size } : { sent: 0, total: 0 });
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const [processing, setProcessing] = useState<ProgressEvent | null>(null);
  const [playable, setPlayable] = useState(false);
  const [done, setDone] = useState<WatchVideo | null>(null);
  const upload = useRef<Upload | null>(null);
  const [, createUpload] = useMutation(CreateUploadMutation);
  const [, deleteVideo] = useMutation(DeleteVideoMutation);

  const busy = stage === 'creating' || stage === 'uploading' || stage === 'paused' || stage === 'processing';

  /** Shows the final state of the video; false while it is still on its way. */
  async function finish(id: string, failed = false) {
    const r = await client.query(WatchVideoQuery, { id }, { requestPolicy: 'network-only' }).toPromise();
    const video = r.data?.video;
    if (r.data && !video) {
      // Refused media may be removed altogether: nothing is left in the library.
      processingUpload.clear();
      setStage('failed');
      setError((e) => e ?? 'The upload was refused and removed');
      return true;
    }
    if (!video || (video.status !== 'READY' && video.status !== 'FAILED')) {
      if (failed) setStage('failed');
      return false;
    }
    processingUpload.clear();
    setDone(video);
    setStage(video.status === 'READY' ? 'ready' : 'failed');
    if (video.status === 'FAILED') setError(video.failureReason ?? 'Processing failed');
    return true;
  }

  // Phases after the upload come from the videoProgress subscription.
  const [sub] = useSubscription({ query: VideoProgressSubscription, variables: { videoId: videoId ?? '' }, pause: !videoId || !token });
  const event = sub.data?.videoProgress;
  useEffect(() => {
    if (!event || !videoId) return;
    if (event.playable) setPlayable(true);
    if (event.phase !== 'UPLOAD') setProcessing(event);
    if (event.status === 'FAILED' && event.phase === 'UPLOAD') return void refused(event.videoId, event.message ?? 'The file was refused');
    if (event.status === 'READY' || event.status === 'FAILED') {
      if (event.status === 'FAILED') setError(event.message ?? 'Processing failed');
      upload.current?.abort(false).catch(() => undefined);
      void finish(event.videoId, event.status === 'FAILED');
    }
  }, [event]); // eslint-disable-line react-hooks/exhaustive-deps

  // Safety net for an event missed while the WebSocket reconnected: look at the video itself now and then.
  useEffect(() => {
    if (stage !== 'processing' || !videoId) return;
    const timer = setInterval(() => void finish(videoId), 4000);
    return () => clearInterval(timer);
  }, [stage, videoId]); // eslint-disable-line react-hooks/exhaustive-deps

  /** The server refused the file itself (not a video, too large…): say why and keep no draft of it. */
  async function refused(id: string, message: string) {
    upload.current?.abort(false).catch(() => undefined);
    upload.current = null;
    pendingUpload.clear();
    processingUpload.clear();
    setPending(null);
    setStage('failed');
    setError(`${message}. Nothing was kept.`.replace(/\.\. /, '. '));
    await deleteVideo({ id }); // may already be gone: nothing to do then
  }

  function sendBytes(f: File, ticket: PendingUpload) {
    setVideoId(ticket.videoId);
    setStage('uploading');
    upload.current = startTusUpload(f, ticket.uploadUrl, session.token() ?? '', ticket.videoId, {
      onProgress: (sent, total) => setBytes({ sent, total }),
      onResumedAt: (offset) => setResumedAt(offset),
      onUrl: (url) => pendingUpload.save({ ...ticket, uploadUrl: url }),
      onSuccess: () => {
        processingUpload.save({ videoId: ticket.videoId, title: ticket.title, size: f.size });
        pendingUpload.clear();
        setPending(null);
        setStage((s) => (s === 'uploading' ? 'processing' : s));
      },
      onError: (err) => {
        if (err.status === 401) {
          session.expire(); // the file stays selected; signing in again continues from the offset
          setStage('paused');
          return;
        }
        if (err.status && err.status >= 400 && err.status < 500) return void refused(ticket.videoId, err.message);
        setError(err.message);
        setStage(err.status === null ? 'paused' : 'failed');
      },
    });
  }

  /** Sends `file`: continues the interrupted upload when it is the same file, else creates a new one. */
  async function start(file: File, fields: UploadFields) {
    setError(null);
    if (pending && isSameFile(file, pending)) return sendBytes(file, pending);
    setStage('creating');
    const r = await createUpload({
      input: { title: fields.title.trim(), description: fields.description.trim() || null, visibility: fields.visibility, filename: file.name, sizeBytes: file.size },
    });
    const ticket = r.data?.createUpload;
    if (!ticket) {
      setStage('pick');
      if (r.error && errorCode(r.error) !== 'UNAUTHENTICATED') setError(errorMessage(r.error));
      return;
    }
    const p: PendingUpload = {
      videoId: ticket.video.id,
      uploadUrl: ticket.uploadUrl,
      title: ticket.video.title,
      filename: file.name,
      size: file.size,
      lastModified: file.lastModified,
    };
    pendingUpload.save(p);
    setPending(p);
    sendBytes(file, p);
  }

  async function cancel() {
    const id = videoId ?? pending?.videoId;
    const url = pending?.uploadUrl;
    if (upload.current) await upload.current.abort(true).catch(() => undefined);
    else if (url && token) await terminateUpload(url, token);
    if (id) await deleteVideo({ id }); // the server may already have removed it: nothing to do then
    pendingUpload.clear();
    processingUpload.clear();
    upload.current = null;
    setPending(null);
    setVideoId(null);
    setStage('pick');
    setBytes({ sent: 0, total: 0 });
    setProcessing(null);
    setResumedAt(null);
  }

  function pause() {
    void upload.current?.abort(false);
    setStage('paused');
  }

  /** Continues a paused upload (with a fresh token), or the interrupted one once its file is picked again. */
  function resume(file: File | null) {
    setError(null);
    if (upload.current) {
      upload.current.options.headers = { Authorization: `Bearer ${session.token() ?? ''}` };
      upload.current.start();
      setStage('uploading');
    } else if (file && pending) sendBytes(file, pending);
  }

  return { stage, busy, error, pending, videoId, bytes, resumedAt, processing, playable, done, start, cancel, pause, resume };
}
