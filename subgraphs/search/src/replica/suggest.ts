/**
 * Suggestions from the replica, scored as data/suggest-queries.ts scores them:
 *
 *   word_similarity(prefix, name) (pg_trgm, float4)
 *   + 1 when the name starts with the prefix, + 0.5 when a later word does
 *
 * over product names containing the prefix (case-insensitively), plus, when
 * fewer than `limit` products contain it, names word-similar to it (≥ the
 * `<%` threshold: typos); and category names alike, for categories with an
 * ACTIVE product. One suggestion per name (case-insensitive), carrying the
 * product with the smallest id; ties by length, then name.
 *
 * The SQL scored a sample of at most 200 rows (the first its index yielded);
 * here every name is scored up to MAX_SCORED_NAMES, so for all but the
 * shortest prefixes the answer is the best `limit` names, not the best of a
 * sample. Candidates come from the names' trigram postings (a name
 * containing the prefix has every three-letter window of it among its
 * trigrams; a name word-similar to it shares at least threshold × its
 * trigrams). Answers are memoised until a name or category changes.
 */
import type { SuggestionRow } from '../data/suggest-queries.js';
import { WORD_SIMILARITY_THRESHOLD } from '../data/prisma.js';
import { charMask, type ReplicaStore, type SuggestName } from './store.js';
import type { PreparedTrigrams } from './trigram.js';

interface Scored {
  text: string;
  /** Code points, as PostgreSQL's length(). */
  length: number;
  id: string;
  slug: string;
  score: number;
  kind: SuggestionRow['kind'];
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** PostgreSQL's length(): code points, not UTF-16 units. */
const codePoints = (text: string): number => (/[\uD800-\uDFFF]/.test(text) ? [...text].length : text.length);

/** ORDER BY score DESC, length(text), text. */
const best = (a: Scored, b: Scored): number => b.score - a.score || a.length - b.length || byCodePoint(a.text, b.text);

/** The first n of items in `compare` order (n is small: a suggestion list). */
function firstN<T>(items: Iterable<T>, n: number, compare: (a: T, b: T) => number): T[] {
  const top: T[] = [];
  for (const item of items) {
    if (top.length === n && compare(item, top[n - 1] as T) >= 0) continue;
    let at = top.length;
    while (at > 0 && compare(item, top[at - 1] as T) < 0) at--;
    top.splice(at, 0, item);
    if (top.length > n) top.pop();
  }
  return top;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The three-letter windows of the prefix's words (lowercased); a name containing the prefix has each among its trigrams. */
function windows(prefix: string): string[] {
  const out: string[] = [];
  for (const word of prefix.match(WORD) ?? []) {
    const chars = [...word];
    for (let i = 0; i + 2 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  return out;
}

/** + 1 when the name starts with the prefix, + 0.5 when a later word does (after a space, as the SQL's ILIKE '% p%'). */
function bonus(key: string, prefix: string, wordStart: string): number {
  if (key.startsWith(prefix)) return 1;
  return key.includes(wordStart) ? 0.5 : 0;
}

/** Names (with ACTIVE products) containing the prefix. */
function containing(store: ReplicaStore, prefix: string): SuggestName[] {
  const windowIds = windows(prefix).map((window) => store.trigrams.lookup(window));
  let pool: Iterable<SuggestName | undefined>;
  if (windowIds.length === 0) {
    // Too short for trigrams: skip names lacking one of its characters, from a compact column.
    const need = charMask(prefix);
    const chars = store.nameChars;
    const out: SuggestName[] = [];
    for (let ordinal = 0; ordinal < store.nameList.length && out.length < MAX_SCORED_NAMES; ordinal++) {
      if (((chars[ordinal] as number) & need) !== need) continue;
      const name = store.nameList[ordinal];
      if (name && name.docs.length > 0 && name.key.includes(prefix)) out.push(name);
    }
    return out;
  }
  if (windowIds.some((id) => id < 0)) return [];
  else {
    let shortest = store.nameTrigrams[windowIds[0] as number] ?? [];
    for (const id of windowIds) {
      const list = store.nameTrigrams[id] ?? [];
      if (list.length < shortest.length) shortest = list;
    }
    pool = shortest.map((ordinal) => store.nameList[ordinal]);
  }
  const out: SuggestName[] = [];
  for (const name of pool) {
    if (name && name.docs.length > 0 && name.key.includes(prefix)) out.push(name);
    if (out.length >= MAX_SCORED_NAMES) break;
  }
  return out;
}

/** Names (with ACTIVE products) whose word similarity to the prefix reaches the threshold. */
function resembling(store: ReplicaStore, query: PreparedTrigrams): SuggestName[] {
  const needed = Math.ceil(WORD_SIMILARITY_THRESHOLD * query.distinct - 1e-9);
  // Shared trigrams per name, counted over the query's postings.
  const shared = new Uint8Array(store.nameList.length);
  for (const trigram of query.known) for (const ordinal of store.nameTrigrams[trigram] ?? []) shared[ordinal] = (shared[ordinal] as number) + 1;
  const out: SuggestName[] = [];
  for (let ordinal = 0; ordinal < shared.length; ordinal++) {
    if ((shared[ordinal] as number) < needed) continue;
    const name = store.nameList[ordinal];
    if (!name || name.docs.length === 0) continue;
    if (store.trigrams.wordSimilarity(query, name.trigrams) >= WORD_SIMILARITY_THRESHOLD) out.push(name);
    if (out.length >= MAX_SCORED_NAMES) break;
  }
  return out;
}

/** The product carrying a name: the smallest id among its ACTIVE products. */
function representative(name: SuggestName): Scored {
  let doc = name.docs[0] as { id: string; name: string; slug: string };
  for (const other of name.docs) if (other.id < doc.id) doc = other;
  return { kind: 'PRODUCT', id: doc.id, text: doc.name, slug: doc.slug, length: codePoints(doc.name), score: 0 };
}

/** The best `limit` product names: scores for all, the text (for ties) only for those that can still make it. */
function bestProducts(store: ReplicaStore, names: readonly SuggestName[], query: PreparedTrigrams, prefix: string, limit: number): Scored[] {
  if (limit <= 0 || names.length === 0) return [];
  const wordStart = ` ${prefix}`;
  const scores = names.map((name) => store.trigrams.wordSimilarity(query, name.trigrams) + bonus(name.key, prefix, wordStart));
  // The limit-th best score: a name below it cannot make the list.
  const cut = limit >= scores.length ? Number.NEGATIVE_INFINITY : ([...scores].sort((a, b) => b - a)[limit - 1] as number);
  const contenders: Scored[] = [];
  names.forEach((name, i) => {
    const score = scores[i] as number;
    if (score < cut) return;
    const scored = representative(name);
    scored.score = score;
    contenders.push(scored);
  });
  return firstN(contenders, limit, best);
}

/**
 * Names scored per request at most, of those containing the prefix and of
 * those resembling it: beyond that (short prefixes: "le" is in thousands of
 * names), suggestions come from the first MAX_SCORED_NAMES in index order,
 * a sample as the SQL's (which scored 200 rows); the next letter typed
 * narrows it.
 */
export const MAX_SCORED_NAMES = 1_000;

/** Memoised answers per store, valid while store.suggestionsVersion stays. */
const memos = new WeakMap<ReplicaStore, { version: number; answers: Map<string, SuggestionRow[]> }>();
const MEMO_SIZE = 10_000;

/**
 * As suggestRows, from the replica. Answers are memoised per prefix and
 * limit until a product name, its product or a category changes (stock and
 * prices do not matter here): autocomplete asks the same short prefixes
 * over and over.
 */
export function replicaSuggestRows(store: ReplicaStore, prefix: string, limit: number): SuggestionRow[] {
  let memo = memos.get(store);
  if (!memo || memo.version !== store.suggestionsVersion) {
    memo = { version: store.suggestionsVersion, answers: new Map() };
    memos.set(store, memo);
  }
  const key = `${limit}:${prefix}`;
  const known = memo.answers.get(key);
  if (known) return known;
  const rows = computeSuggestRows(store, prefix, limit);
  if (memo.answers.size >= MEMO_SIZE) memo.answers.delete(memo.answers.keys().next().value as string);
  memo.answers.set(key, rows);
  return rows;
}

export function computeSuggestRows(store: ReplicaStore, prefix: string, limit: number): SuggestionRow[] {
  const lower = prefix.toLowerCase();
  const wordStart = ` ${lower}`;
  const query = store.trigrams.prepare(prefix);

  const names = containing(store, lower);
  let containedProducts = 0;
  for (const name of names) containedProducts += name.docs.length;
  if (containedProducts < limit) {
    const seen = new Set(names);
    for (const name of resembling(store, query)) if (!seen.has(name)) names.push(name);
  }
  const products = bestProducts(store, names, query, lower, limit);

  const categories: Scored[] = [];
  for (const category of store.categories) {
    if (!category || (store.byCategory[category.ordinal]?.total ?? 0) === 0) continue;
    const key = category.name.toLowerCase();
    const similarity = store.trigrams.wordSimilarity(query, category.trigrams);
    if (!key.includes(lower) && similarity < WORD_SIMILARITY_THRESHOLD) continue;
    const text = category.name;
    categories.push({ kind: 'CATEGORY', id: category.id, text, slug: category.slug, length: codePoints(text), score: similarity + bonus(key, lower, wordStart) });
  }

  return firstN([...products, ...firstN(categories, limit, best)], limit, (a, b) => best(a, b) || byCodePoint(a.kind, b.kind)).map(
    ({ kind, id, text, slug, score }) => ({ kind, id, text, slug, score }),
  );
}
