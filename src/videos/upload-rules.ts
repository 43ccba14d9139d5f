import { badInput } from '../errors';
import { tooLarge } from './upload-meter';

/**
 * Client file names are kept for display only (storage keys come from the video id): strip
 * any path, control and bidi characters, and cap the length.
 */
export function sanitizeFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 255);
  return clean || null;
}

/** A declared size must be a whole positive number within the limit. */
export function checkDeclaredSize(sizeBytes: number, maxBytes: number): void {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw badInput('sizeBytes must be a positive whole number of bytes');
  if (sizeBytes > maxBytes) throw tooLarge(maxBytes);
}
