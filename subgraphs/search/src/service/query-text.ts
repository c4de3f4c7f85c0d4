/**
 * What a search box may send. Text is normalised before it reaches SQL:
 * NFKC (full-width letters, ligatures), control/format/surrogate/private-use
 * characters removed (a NUL byte would be a PostgreSQL error, not "no match"),
 * whitespace collapsed. Operators are left to websearch_to_tsquery, which
 * accepts any input without a syntax error ("quoted phrase", -exclude, or).
 */
import { badInput } from '@commerce/errors';

/** Longest query accepted after normalisation; longer is BAD_USER_INPUT. */
export const MAX_QUERY_LENGTH = 200;
/** Longest suggest prefix accepted after normalisation. */
export const MAX_PREFIX_LENGTH = 100;

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/gu;

export function normalizeText(raw: string | null | undefined, field: string, maxLength: number): string {
  if (raw === null || raw === undefined) return '';
  // Reject obviously oversized input before doing any work on it.
  if (raw.length > maxLength * 4) throw badInput(`${field} must be at most ${maxLength} characters.`, field);
  const text = raw.normalize('NFKC').replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim();
  if (text.length > maxLength) throw badInput(`${field} must be at most ${maxLength} characters.`, field);
  return text;
}

/** False for text made only of punctuation, symbols and operators: it can match nothing. */
export const hasSearchableTerms = (text: string): boolean => /[\p{L}\p{N}]/u.test(text);
