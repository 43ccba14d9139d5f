/** 75.4 → "1:15"; 3725 → "1:02:05". */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '0:00';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (!n) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** 8 → "a few seconds"; 75 → "1 min 15 s"; 3725 → "1 h 2 min". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 10) return 'a few seconds';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/**
 * `percent` spans the whole job (docs/API.md): the upload is its first 20, processing the rest. The
 * processing bar shows its own part as 0..100.
 */
export const UPLOAD_SHARE = 20;
export function processingPercent(wholeJob: number): number {
  return Math.max(0, Math.min(100, ((wholeJob - UPLOAD_SHARE) / (100 - UPLOAD_SHARE)) * 100));
}

/** VIDEO_READY → "video.ready": the payload `type` a receiver sees (docs/API.md, Webhooks). */
export function webhookEventName(event: string): string {
  return event.toLowerCase().replace('_', '.');
}

/** A delivery attempt's outcome: the HTTP status when one came back, else why none did. */
export function deliveryOutcome(d: { statusCode: number | null; error: string | null }): string {
  if (d.statusCode !== null) return String(d.statusCode);
  return d.error ?? 'no answer';
}
