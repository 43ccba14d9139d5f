import { CaptionKind } from '../domain/caption-kind';
import { badInput } from '../errors';

/** The text rules of a caption track: its language tag, label and kind, checked before any byte is read. */

export const MAX_LABEL = 100;
/** A BCP 47 tag longer than this is no language a player offers (the column is as wide). */
const MAX_LANGUAGE = 35;

/**
 * The canonical BCP 47 tag (`EN-us` → `en-US`, `iw` → `he`), as Intl knows it; anything Intl
 * refuses is BAD_USER_INPUT. Canonical tags keep one track per language: `en-us` replaces `en-US`.
 */
export function canonicalLanguage(raw: string): string {
  const trimmed = raw.trim();
  let tag: string | undefined;
  try {
    [tag] = Intl.getCanonicalLocales(trimmed);
  } catch {
    tag = undefined;
  }
  if (!tag || tag.length > MAX_LANGUAGE) {
    throw badInput('`language` must be a BCP 47 language tag such as en, en-US or pt-BR', { field: 'language' });
  }
  return tag;
}

/**
 * A label as stored and shown in players' menus: 1 to 100 characters, no control characters and
 * no double quote (an HLS NAME attribute cannot carry one, and it is not escaped there).
 */
export function cleanLabel(raw: string): string {
  const label = raw.replace(/\s+/gu, ' ').trim();
  if (!label || label.length > MAX_LABEL) throw badInput(`\`label\` must be 1 to ${MAX_LABEL} characters`, { field: 'label' });
  if (/[\p{Cc}"]/u.test(label)) throw badInput('`label` cannot contain control characters or double quotes', { field: 'label' });
  return label;
}

export function checkKind(kind: string): CaptionKind {
  if (!Object.values(CaptionKind).includes(kind as CaptionKind)) throw badInput('Unknown caption kind', { field: 'kind' });
  return kind as CaptionKind;
}
