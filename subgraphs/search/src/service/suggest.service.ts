/**
 * Autocomplete: product and category names for what has been typed so far,
 * typo-tolerant. Use this service for the `suggest` query; it never writes.
 *
 * A name qualifies when it contains the prefix or is word-similar to it
 * (pg_trgm, threshold WORD_SIMILARITY_THRESHOLD), so "jaket" still suggests
 * "Rain Jacket". Names starting with the prefix rank first, then names with a
 * word starting with it, then the rest by similarity (see suggest-queries).
 * From the subgraph's replica when it has one (every matching name scored,
 * see replica/suggest.ts), else from PostgreSQL.
 */
import { badInput } from '@commerce/errors';
import type { SearchContext } from '../context.js';
import { suggestRows, type SuggestionKind } from '../data/suggest-queries.js';
import { replicaSuggestRows } from '../replica/suggest.js';
import { hasSearchableTerms, MAX_PREFIX_LENGTH, normalizeText } from './query-text.js';

export const DEFAULT_SUGGESTIONS = 8;
export const MAX_SUGGESTIONS = 20;

export interface SuggestArgs {
  prefix: string;
  first?: number | null;
}

export interface Suggestion {
  kind: SuggestionKind;
  text: string;
  id: string;
  slug: string;
  score: number;
  product: { __typename: 'Product'; id: string } | null;
  category: { __typename: 'Category'; id: string } | null;
}

export async function suggest(ctx: SearchContext, args: SuggestArgs): Promise<Suggestion[]> {
  const prefix = normalizeText(args.prefix, 'prefix', MAX_PREFIX_LENGTH);
  const requested = args.first ?? DEFAULT_SUGGESTIONS;
  if (!Number.isInteger(requested) || requested < 0) throw badInput('"first" must be a non-negative integer.', 'first');
  const first = Math.min(requested, MAX_SUGGESTIONS);
  if (first === 0 || !hasSearchableTerms(prefix)) return [];

  const rows = ctx.replica ? replicaSuggestRows(await ctx.replica.current(), prefix, first) : await suggestRows(ctx.prisma, prefix, first);
  return rows.map((row) => ({
    kind: row.kind,
    text: row.text,
    id: row.id,
    slug: row.slug,
    score: row.score,
    product: row.kind === 'PRODUCT' ? { __typename: 'Product', id: row.id } : null,
    category: row.kind === 'CATEGORY' ? { __typename: 'Category', id: row.id } : null,
  }));
}
