import { badInput } from '../errors';

export const MAX_SEARCH_LENGTH = 100;

/*
 * InnoDB FULLTEXT (MySQL 8 and MariaDB alike) indexes no word shorter than
 * innodb_ft_min_token_size (3) and none of its default stopwords. In BOOLEAN MODE a required
 * term (+word) that is not indexed matches NOTHING, so "the cat" would find no video at all:
 * such words are dropped here before the query is built. A server configured with another
 * token size or stopword table should keep these two in step.
 */
const MIN_TERM_LENGTH = 3;
const MAX_TERM_LENGTH = 84; // innodb_ft_max_token_size
const MAX_TERMS = 8;
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to und was what when where who will with www'.split(' '),
);

/**
 * Turns what a person typed into a BOOLEAN MODE expression: every remaining word required and
 * prefix-matched (`+word*`), so results narrow as words are added and "vide" finds "video".
 * Only letters, digits and `_` form words; everything else (including the boolean operators
 * + - < > ( ) ~ * " @) separates them, so no input can change the query's meaning.
 * Null for no search; BAD_USER_INPUT for input too long, with control characters, or with no
 * searchable word.
 */
export function fullTextQuery(raw: string | null | undefined): string | null {
  const text = raw?.normalize('NFC').trim() ?? '';
  if (!text) return null;
  if (text.length > MAX_SEARCH_LENGTH) throw badInput(`\`search\` must be at most ${MAX_SEARCH_LENGTH} characters`, { field: 'search' });
  if (/[\p{Cc}\p{Cs}]/u.test(text)) throw badInput('`search` must not contain control characters', { field: 'search' });
  const words = new Set(text.toLowerCase().split(/[^\p{L}\p{M}\p{N}_]+/u));
  const terms = [...words].filter((w) => [...w].length >= MIN_TERM_LENGTH && !STOPWORDS.has(w)).slice(0, MAX_TERMS);
  if (!terms.length) {
    throw badInput(`\`search\` needs a word of at least ${MIN_TERM_LENGTH} letters other than very common ones (the, with, about…)`, { field: 'search' });
  }
  return terms.map((t) => `+${[...t].slice(0, MAX_TERM_LENGTH).join('')}*`).join(' ');
}
