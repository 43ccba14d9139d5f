import type { TextTrackInfo } from './engine';

/** The viewer's caption choice, remembered in this browser: a language tag, or off. */
const KEY = 'vp.captions';
export const CAPTIONS_OFF = 'off';

export function rememberedCaptions(): string {
  try {
    return localStorage.getItem(KEY) ?? CAPTIONS_OFF;
  } catch {
    return CAPTIONS_OFF; // storage blocked: captions start off
  }
}

export function rememberCaptions(choice: string): void {
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    // storage blocked: the choice holds for this page only
  }
}

/**
 * The track to show for a remembered language: the same tag, else the same language in another
 * region or script (`en-GB` for `en-US`, `pt` for `pt-BR`); null when off or nothing matches.
 */
export function trackFor(tracks: readonly TextTrackInfo[], choice: string): TextTrackInfo | null {
  if (choice === CAPTIONS_OFF) return null;
  const lower = choice.toLowerCase();
  const primary = (tag: string) => tag.toLowerCase().split('-')[0];
  return tracks.find((t) => t.language.toLowerCase() === lower) ?? tracks.find((t) => primary(t.language) === primary(choice)) ?? null;
}
