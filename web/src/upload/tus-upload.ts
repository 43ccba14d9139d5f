import { Upload, type DetailedError } from 'tus-js-client';

/** What survives a page reload so the same file can continue where it stopped. */
export interface PendingUpload {
  videoId: string;
  uploadUrl: string;
  title: string;
  filename: string;
  size: number;
  lastModified: number;
}

/** One value of the page kept in localStorage as JSON; unreadable or missing reads as null. */
function stored<T>(key: string) {
  return {
    load(): T | null {
      try {
        const raw = localStorage.getItem(key);
        return raw ? (JSON.parse(raw) as T) : null;
      } catch {
        return null;
      }
    },
    save: (value: T): void => localStorage.setItem(key, JSON.stringify(value)),
    clear: (): void => localStorage.removeItem(key),
  };
}

export const pendingUpload = stored<PendingUpload>('vp-pending-upload');

/** An upload whose bytes are all sent and whose processing the page follows: kept so a reload picks it up again. */
export interface ProcessingUpload {
  videoId: string;
  title: string;
  size: number;
}

export const processingUpload = stored<ProcessingUpload>('vp-processing-upload');

/** A browser cannot reopen a file by itself; the user picks it again and we check it is the same one. */
export const isSameFile = (file: File, p: PendingUpload): boolean =>
  file.name === p.filename && file.size === p.size && file.lastModified === p.lastModified;

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The server's reason for refusing a tus request (JSON `{message}` or plain text), else a generic one. */
function describe(err: Error | DetailedError): UploadError {
  const res = 'originalResponse' in err ? err.originalResponse : null;
  const status = res?.getStatus() ?? null;
  const body = res?.getBody()?.trim() ?? '';
  let message = body;
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: { message?: string } };
    message = parsed.message ?? parsed.error?.message ?? body;
  } catch {
    // plain text body
  }
  if (!status) return new UploadError('The connection to the server was lost', null);
  return new UploadError(message || `Upload refused (HTTP ${status})`, status);
}

export interface TusCallbacks {
  onProgress(sent: number, total: number): void;
  /** The offset the server already had when a previous upload is resumed. */
  onResumedAt(offset: number): void;
  onUrl(url: string): void;
  onSuccess(): void;
  onError(err: UploadError): void;
}

/**
 * Sends `file` to the tus upload created by `createUpload`: HEAD for the offset, then PATCH.
 * `endpoint` is the same URL so that a server which expects tus creation (POST) there works too.
 */
export function startTusUpload(file: File, uploadUrl: string, token: string, videoId: string, cb: TusCallbacks): Upload {
  const upload = new Upload(file, {
    uploadUrl,
    endpoint: uploadUrl,
    headers: { Authorization: `Bearer ${token}` },
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', videoId },
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
    storeFingerprintForResuming: false, // we keep our own record (PendingUpload), bound to the video
    onAfterResponse(req, res) {
      const offset = res.getHeader('Upload-Offset');
      if (req.getMethod() === 'HEAD' && res.getStatus() < 300 && Number(offset) > 0) cb.onResumedAt(Number(offset));
    },
    onUploadUrlAvailable: () => {
      if (upload.url) cb.onUrl(upload.url);
    },
    onProgress: (sent, total) => cb.onProgress(sent, total),
    onSuccess: () => cb.onSuccess(),
    onError: (err) => cb.onError(describe(err)),
  });
  upload.start();
  return upload;
}

/** Terminates an upload we no longer hold an Upload object for (after a reload). */
export async function terminateUpload(uploadUrl: string, token: string): Promise<void> {
  await Upload.terminate(uploadUrl, { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
}
