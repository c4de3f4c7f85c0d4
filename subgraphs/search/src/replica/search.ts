/**
 * Search over the replica: the same answers as the SQL in
 * data/search-queries.ts (text search, browse page, browse aggregates), from
 * memory. The facet rules are those of the SQL, spelled out per document:
 * each facet counts the documents passing every filter except its own.
 *
 * - Text: candidates from the posting lists of the query's lexemes (a NOT
 *   alone means every document), each checked exactly against its own
 *   lexemes and positions; facets counted over the matches; ts_rank_cd only
 *   for those passing every filter, when ordering by relevance.
 * - Browse aggregates with at most a category filter: read from the counts
 *   the store keeps per category (nothing is counted per request); with
 *   other filters, counted over the catalog.
 * - Browse page, newest first: a walk down the store's newest-first order
 *   that stops once the page is full; other orders sort the matches.
 */
import type { CategoryCount, SearchAggregates, SearchSpec, TextSearchRows } from '../data/search-queries.js';
import { CURRENCIES, optionKey } from '../service/documents.js';
import { rankCd, type RankSource } from './rank.js';
import { BUCKETS, bucketOf, type Doc, FacetCounts, newerFirst, type ReplicaStore } from './store.js';
import { matches, type OperandSource, type QueryNode, type TsQuery } from './tsquery.js';

/**
 * Which filters a document passes, read from the store's columns. Built per
 * search: whether each category path holds the filtered category, and which
 * option filters each option set fails, are worked out once per path or set
 * (documents share them), not once per document.
 */
class Judge {
  /** The last document judged: */
  cat = true;
  price = true;
  stock = true;
  /** Bit g: the document fails option filter g. */
  failed = 0;

  readonly currency: number;
  readonly groups: readonly { name: string; options: ReadonlySet<number> }[];
  private readonly category: number | 'none' | null;
  private readonly priceRange: SearchSpec['filters']['price'];
  private readonly inStock: boolean | null;
  /** By path id: 1 holds the filtered category, 0 not, -1 not worked out yet. */
  private readonly pathHolds: Int8Array;
  /** By option set id: the failed-filter bits. */
  private readonly setFails = new Map<number, number>();

  constructor(
    private readonly store: ReplicaStore,
    spec: SearchSpec,
  ) {
    const { category } = spec.filters;
    this.category = category === null ? null : category === 'none' ? 'none' : (store.categoryOrdinals.get(category.id) ?? 'none');
    this.currency = CURRENCIES.indexOf(spec.currency);
    this.priceRange = spec.filters.price;
    this.inStock = spec.filters.inStock;
    this.groups = spec.filters.options.map((group) => ({
      name: group.name,
      options: new Set(
        group.values.map((value) => store.optionOrdinals.get(optionKey(group.name, value))).filter((o): o is number => o !== undefined),
      ),
    }));
    this.pathHolds = new Int8Array(store.paths.length).fill(-1);
  }

  /** No filter but (perhaps) a category: browse facets are kept per category. */
  get onlyCategory(): boolean {
    return this.priceRange === null && this.inStock === null && this.groups.length === 0;
  }

  get categoryFilter(): number | 'none' | null {
    return this.category;
  }

  get all(): boolean {
    return this.cat && this.price && this.stock && this.failed === 0;
  }

  judge(ordinal: number): this {
    const columns = this.store.columns;
    if (this.category === null) this.cat = true;
    else if (this.category === 'none') this.cat = false;
    else {
      const path = columns.path[ordinal] as number;
      let holds = this.pathHolds[path] as number;
      if (holds < 0) {
        holds = (this.store.paths[path] as Int32Array).includes(this.category) ? 1 : 0;
        this.pathHolds[path] = holds;
      }
      this.cat = holds === 1;
    }
    const range = this.priceRange;
    if (range === null) this.price = true;
    else {
      const price = columns.price[ordinal * CURRENCIES.length + this.currency] as number;
      this.price = !Number.isNaN(price) && (range.min === null || price >= range.min) && (range.max === null || price <= range.max);
    }
    this.stock = this.inStock === null || (columns.inStock[ordinal] === 1) === this.inStock;
    if (this.groups.length === 0) this.failed = 0;
    else {
      const set = columns.optionSet[ordinal] as number;
      let fails = this.setFails.get(set);
      if (fails === undefined) {
        let bits = 0;
        const options = this.store.optionSets[set] as Int32Array;
        this.groups.forEach((group, g) => {
          if (!options.some((option) => group.options.has(option))) bits |= 1 << g;
        });
        fails = bits;
        this.setFails.set(set, fails);
      }
      this.failed = fails;
    }
    return this;
  }
}

/** Facet counts over documents judged one by one (the SQL's FILTER clauses). */
class Tally {
  total = 0;
  inStock = 0;
  outOfStock = 0;
  readonly prices = new Array<number>(BUCKETS).fill(0);
  /** By category path id. */
  private readonly paths: Int32Array;
  /** By option ordinal. */
  private readonly options: Int32Array;
  /** By option filter: the number of its option name (a value of it counts when only that filter fails). */
  private readonly groupNames: number[];

  constructor(
    private readonly store: ReplicaStore,
    private readonly judge: Judge,
  ) {
    this.paths = new Int32Array(store.paths.length);
    this.options = new Int32Array(store.optionKeys.length);
    this.groupNames = judge.groups.map((group) => store.optionNameIds.get(group.name) ?? -1);
  }

  add(ordinal: number): void {
    const j = this.judge;
    const columns = this.store.columns;
    const opt = j.failed === 0;
    if (j.cat && j.price && j.stock && opt) this.total++;
    const price = columns.price[ordinal * CURRENCIES.length + j.currency] as number;
    if (j.cat && j.stock && opt && !Number.isNaN(price)) {
      const bucket = bucketOf(price);
      this.prices[bucket] = (this.prices[bucket] ?? 0) + 1;
    }
    if (j.cat && j.price && opt) {
      if (columns.inStock[ordinal] === 1) this.inStock++;
      else this.outOfStock++;
    }
    if (j.price && j.stock && opt) (this.paths[columns.path[ordinal] as number] as number)++;
    if (j.cat && j.price && j.stock && (j.failed & (j.failed - 1)) === 0) {
      // Every option filter passed, or only the one on a value's own option failed: the value counts.
      const pool = columns.pool.data;
      const start = columns.optionStart[ordinal] as number;
      const end = start + (columns.optionCount[ordinal] as number);
      if (opt) for (let i = start; i < end; i++) (this.options[pool[i] as number] as number)++;
      else {
        const name = this.groupNames[31 - Math.clz32(j.failed)] as number;
        const nameOf = this.store.optionNameOf;
        for (let i = start; i < end; i++) {
          const option = pool[i] as number;
          if (nameOf[option] === name) (this.options[option] as number)++;
        }
      }
    }
  }

  aggregates(): SearchAggregates {
    const store = this.store;
    const categories = new Int32Array(store.categoryOrdinals.size);
    this.paths.forEach((count, path) => {
      if (count > 0) for (const cat of store.paths[path] as Int32Array) (categories[cat] as number) += count;
    });
    return {
      total: this.total,
      categories: categoryCounts(store, categories),
      options: optionCounts(store, this.options),
      prices: this.prices.map((count, bucket): [number, number] => [bucket, count]),
      stock: [
        [true, this.inStock],
        [false, this.outOfStock],
      ],
    };
  }
}

/** Categories with a count and a search_categories row (the SQL joins them). */
function categoryCounts(store: ReplicaStore, counts: ArrayLike<number | undefined>): CategoryCount[] {
  const out: CategoryCount[] = [];
  for (let ordinal = 0; ordinal < counts.length; ordinal++) {
    const count = counts[ordinal] ?? 0;
    const category = store.categories[ordinal];
    if (count > 0 && category) {
      out.push({ id: category.id, name: category.name, slug: category.slug, parentId: category.parentId, depth: category.depth, count });
    }
  }
  return out;
}

function optionCounts(store: ReplicaStore, counts: ArrayLike<number | undefined>): [string, number][] {
  const out: [string, number][] = [];
  for (let ordinal = 0; ordinal < counts.length; ordinal++) {
    const count = counts[ordinal] ?? 0;
    if (count > 0) out.push([store.optionKeys[ordinal] as string, count]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Ordering (the SQL's ORDER BY, ending with id DESC)

/**
 * The matches a page is chosen from: ordinals and ranks in two arrays (one
 * search's worth of small objects was a good share of the garbage collector's work).
 */
class Hits {
  ordinals = new Int32Array(256);
  ranks = new Float64Array(256);
  length = 0;

  push(ordinal: number, rank: number): void {
    if (this.length === this.ordinals.length) {
      const ordinals = new Int32Array(this.length * 2);
      ordinals.set(this.ordinals);
      const ranks = new Float64Array(this.length * 2);
      ranks.set(this.ranks);
      this.ordinals = ordinals;
      this.ranks = ranks;
    }
    this.ordinals[this.length] = ordinal;
    this.ranks[this.length] = rank;
    this.length++;
  }
}

/** Orders two hits (indexes into Hits) as the SQL's ORDER BY, ending with id DESC. */
type Compare = (a: number, b: number) => number;

/** NULLS LAST (NaN), then ascending (direction 1) or descending (-1). */
function nullsLast(a: number, b: number, direction: 1 | -1): number {
  const aNull = Number.isNaN(a);
  const bNull = Number.isNaN(b);
  if (aNull || bNull) return (aNull ? 1 : 0) - (bNull ? 1 : 0);
  return (a - b) * direction;
}

function comparator(store: ReplicaStore, spec: SearchSpec, hits: Hits): Compare {
  const { docs, columns } = store;
  const { ordinals, ranks } = hits;
  const idDesc = (a: number, b: number): number => {
    const x = ordinals[a] as number;
    const y = ordinals[b] as number;
    const keyX = columns.idKey[x] as number;
    const keyY = columns.idKey[y] as number;
    if (keyX !== keyY) return keyY - keyX;
    const idX = (docs[x] as Doc).id;
    const idY = (docs[y] as Doc).id;
    return idX > idY ? -1 : idX < idY ? 1 : 0;
  };
  const newest = (a: number, b: number): number => newerFirst(docs[ordinals[a] as number] as Doc, docs[ordinals[b] as number] as Doc);
  const currency = CURRENCIES.indexOf(spec.currency);
  const price = (hit: number): number => columns.price[(ordinals[hit] as number) * CURRENCIES.length + currency] as number;
  switch (spec.sort) {
    case 'PRICE_ASC':
      return (a, b) => nullsLast(price(a), price(b), 1) || idDesc(a, b);
    case 'PRICE_DESC':
      return (a, b) => nullsLast(price(a), price(b), -1) || idDesc(a, b);
    case 'RATING':
      return (a, b) =>
        nullsLast(columns.rating[ordinals[a] as number] as number, columns.rating[ordinals[b] as number] as number, -1) ||
        (columns.ratingCount[ordinals[b] as number] as number) - (columns.ratingCount[ordinals[a] as number] as number) ||
        idDesc(a, b);
    case 'NEWEST':
      return newest;
    case 'RELEVANCE':
      return spec.mode === 'BROWSE' ? newest : (a, b) => (ranks[b] as number) - (ranks[a] as number) || idDesc(a, b);
  }
}

/** The ids at [offset, offset + limit) in order, without sorting every hit when only a few are wanted. */
function page(store: ReplicaStore, hits: Hits, compare: Compare, offset: number, limit: number): string[] {
  const wanted = offset + limit;
  const n = hits.length;
  if (limit <= 0 || offset >= n) return [];
  let ordered: number[];
  if (n <= 4 * wanted) ordered = Array.from({ length: n }, (_, i) => i).sort(compare);
  else {
    // A max-heap of the `wanted` best so far: O(n log wanted).
    const heap: number[] = [];
    for (let hit = 0; hit < n; hit++) {
      if (heap.length < wanted) {
        heap.push(hit);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (compare(heap[i] as number, heap[parent] as number) <= 0) break;
          [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
          i = parent;
        }
      } else if (compare(hit, heap[0] as number) < 0) {
        heap[0] = hit;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let top = i;
          if (l < heap.length && compare(heap[l] as number, heap[top] as number) > 0) top = l;
          if (r < heap.length && compare(heap[r] as number, heap[top] as number) > 0) top = r;
          if (top === i) break;
          [heap[i], heap[top]] = [heap[top] as number, heap[i] as number];
          i = top;
        }
      }
    }
    ordered = heap.sort(compare);
  }
  return ordered.slice(offset, wanted).map((hit) => (store.docs[hits.ordinals[hit] as number] as Doc).id);
}

// ---------------------------------------------------------------------------
// Text search

/** A document's lexemes as the query's operands see them (and the ranker). */
export class DocOperands implements OperandSource, RankSource {
  doc: Doc | null = null;
  private readonly location = { text: null as unknown as Doc['text'], index: 0 };
  constructor(private readonly lexemeIds: readonly number[]) {}

  private index(item: number): number {
    const lexeme = this.lexemeIds[item] ?? -1;
    return lexeme < 0 || !this.doc ? -1 : this.doc.text.find(lexeme);
  }
  has(item: number): boolean {
    return this.index(item) >= 0;
  }
  positions(item: number): readonly number[] {
    const index = this.index(item);
    if (index < 0) return [];
    const text = (this.doc as Doc).text;
    const out: number[] = [];
    for (let i = text.start(index), end = text.end(index); i < end; i++) out.push((text.data[i] as number) & 0x3fff);
    return out;
  }
  /** Reused between calls: read it before the next. */
  located(item: number): { text: Doc['text']; index: number } | null {
    const index = this.index(item);
    if (index < 0) return null;
    this.location.text = (this.doc as Doc).text;
    this.location.index = index;
    return this.location;
  }
}

/**
 * The documents a query can match, from the posting lists: exact for
 * operands combined with & and |; a superset (checked document by document)
 * when a phrase or a NOT is involved; 'all' for a NOT with nothing required
 * beside it. Ordinals ascending.
 */
type Candidates = { ordinals: readonly number[]; exact: boolean; ranks?: readonly number[] } | 'all';

function candidates(node: QueryNode, store: ReplicaStore, lexemeIds: readonly number[]): Candidates {
  switch (node.kind) {
    case 'val': {
      const lexeme = lexemeIds[node.item] ?? -1;
      const posting = lexeme < 0 ? undefined : store.postings[lexeme];
      return posting ? { ordinals: posting.ordinals, exact: true, ranks: posting.ranks } : { ordinals: [], exact: true };
    }
    case 'not':
      return 'all';
    case 'and':
    case 'phrase': {
      const left = candidates(node.left, store, lexemeIds);
      const right = candidates(node.right, store, lexemeIds);
      if (left === 'all') return right === 'all' ? 'all' : { ordinals: right.ordinals, exact: false };
      if (right === 'all') return { ordinals: left.ordinals, exact: false };
      return { ordinals: intersect(left.ordinals, right.ordinals), exact: node.kind === 'and' && left.exact && right.exact };
    }
    case 'or': {
      const left = candidates(node.left, store, lexemeIds);
      const right = candidates(node.right, store, lexemeIds);
      if (left === 'all' || right === 'all') return 'all';
      return { ordinals: union(left.ordinals, right.ordinals), exact: left.exact && right.exact };
    }
  }
}

function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

function union(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
    out.push(Math.min(x, y));
    if (x <= y) i++;
    if (y <= x) j++;
  }
  return out;
}

/** As runTextSearch for FULL_TEXT, from the replica. */
export function replicaTextSearch(store: ReplicaStore, query: TsQuery, spec: SearchSpec): TextSearchRows {
  const judge = new Judge(store, spec);
  const tally = new Tally(store, judge);
  const hits = new Hits();
  let matched = 0;
  const root = query.root;
  if (root) {
    const lexemeIds = query.lexemes.map((lexeme) => store.lexicon.get(lexeme) ?? -1);
    const operands = new DocOperands(lexemeIds);
    const ranked = spec.sort === 'RELEVANCE';
    const found = candidates(root, store, lexemeIds);
    const all = found === 'all';
    const ordinals = all ? null : found.ordinals;
    const ranks = all ? undefined : found.ranks;
    const exact = !all && found.exact;
    const count = ordinals ? ordinals.length : store.docs.length;
    for (let i = 0; i < count; i++) {
      const ordinal = ordinals ? (ordinals[i] as number) : i;
      if (!exact) {
        const doc = store.docs[ordinal];
        if (!doc || doc.text.count === 0) continue;
        operands.doc = doc;
        if (!matches(query, operands)) continue;
      }
      matched++;
      judge.judge(ordinal);
      tally.add(ordinal);
      if (!judge.all) continue;
      let rank = 0;
      if (ranked && ranks) rank = ranks[i] as number;
      else if (ranked) {
        operands.doc = store.docs[ordinal] as Doc;
        rank = rankCd(query, operands);
      }
      hits.push(ordinal, rank);
    }
  }
  const ids = page(store, hits, comparator(store, spec, hits), spec.offset, spec.limit);
  return { matched, ids, ...tally.aggregates() };
}

// ---------------------------------------------------------------------------
// Browse

const NO_DOCUMENTS = new FacetCounts();

/** As runBrowseAggregates, from the replica. */
export function replicaBrowseAggregates(store: ReplicaStore, spec: SearchSpec): SearchAggregates {
  const judge = new Judge(store, spec);
  if (judge.onlyCategory) {
    // Only a category, or nothing: the counts are kept per category.
    const category = judge.categoryFilter;
    const counts = category === null ? store.all : category === 'none' ? NO_DOCUMENTS : (store.byCategory[category] ?? NO_DOCUMENTS);
    return {
      total: counts.total,
      categories: categoryCounts(store, store.categoryEntries),
      options: optionCounts(store, counts.options),
      prices: (counts.prices[judge.currency] as number[]).map((count, bucket): [number, number] => [bucket, count]),
      stock: [
        [true, counts.inStock],
        [false, counts.outOfStock],
      ],
    };
  }
  const tally = new Tally(store, judge);
  for (const ordinal of store.newest) {
    judge.judge(ordinal);
    tally.add(ordinal);
  }
  return tally.aggregates();
}

/** As runBrowsePage: up to spec.limit ids from spec.offset. */
export function replicaBrowsePage(store: ReplicaStore, spec: SearchSpec): string[] {
  const judge = new Judge(store, spec);
  const category = judge.categoryFilter;
  if (category === 'none') return [];
  // Newest first is the order of the (category's) newest list: walk it until the page is full.
  const scope = category === null ? store.newest : (store.newestIn[category] ?? []);
  if (spec.sort === 'RELEVANCE' || spec.sort === 'NEWEST') {
    const ids: string[] = [];
    let skipped = 0;
    for (const ordinal of scope) {
      if (ids.length >= spec.limit) break;
      if (!judge.judge(ordinal).all) continue;
      if (skipped < spec.offset) skipped++;
      else ids.push((store.docs[ordinal] as Doc).id);
    }
    return ids;
  }
  const hits = new Hits();
  for (const ordinal of scope) if (judge.judge(ordinal).all) hits.push(ordinal, 0);
  return page(store, hits, comparator(store, spec, hits), spec.offset, spec.limit);
}
