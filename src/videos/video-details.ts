import { Visibility } from '../domain/video-status';
import { badInput } from '../errors';
import type { VideoDetails } from './video-lifecycle';

export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 5000;

/** What an owner may change; fields left undefined stay as they are, a null description clears it. */
export interface VideoUpdate {
  title?: string | null;
  description?: string | null;
  visibility?: Visibility | null;
  allowDownload?: boolean | null;
}

/** A title as stored, on create and on update alike: control characters become spaces, trimmed, 1 to 200 characters. */
export function cleanTitle(raw: string): string {
  const title = raw.replace(/[\p{Cc}]/gu, ' ').trim();
  if (!title || title.length > MAX_TITLE) throw badInput(`\`title\` must be 1 to ${MAX_TITLE} characters`, { field: 'title' });
  return title;
}

/** A description as stored: control characters other than tabs and line breaks dropped, trimmed, null when empty. */
export function cleanDescription(raw: string | null | undefined): string | null {
  const description = (raw ?? '').replace(/[^\P{Cc}\t\n\r]/gu, '').trim();
  if (description.length > MAX_DESCRIPTION) throw badInput(`\`description\` must be at most ${MAX_DESCRIPTION} characters`, { field: 'description' });
  return description || null;
}

/** A new video's text (both upload paths). */
export function normaliseText(title: string, description: string | null | undefined): { title: string; description: string | null } {
  return { title: cleanTitle(title), description: cleanDescription(description) };
}

/** The owner's update, by the same rules as creation. */
export function detailsPatch(input: VideoUpdate): VideoDetails {
  const patch: VideoDetails = {};
  if (input.title !== undefined && input.title !== null) patch.title = cleanTitle(input.title);
  if (input.description !== undefined) patch.description = cleanDescription(input.description);
  if (input.visibility !== undefined && input.visibility !== null) {
    if (!Object.values(Visibility).includes(input.visibility)) throw badInput('Unknown visibility', { field: 'visibility' });
    patch.visibility = input.visibility;
  }
  if (input.allowDownload !== undefined && input.allowDownload !== null) patch.allowDownload = input.allowDownload;
  return patch;
}
