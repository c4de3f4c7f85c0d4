/**
 * The read model's ACTIVE documents in memory, laid out for search: a
 * lexicon with posting lists (candidates for a text query), each document's
 * lexemes and positions (exact matching and ranking), its facet values as
 * small integers, a newest-first order (the default browse page), and the
 * counts a browse without other filters needs, kept up to date document by
 * document ("precomputed facets": a category page counts nothing).
 *
 * Only `SearchReplica` writes here (from PostgreSQL); searches only read. The
 * store never decides what is true: it mirrors search_products and
 * search_categories as of the last sync.
 */
import type { CurrencyCode } from '../service/documents.js';
import { CURRENCIES, splitOptionKey } from '../service/documents.js';
import { PRICE_BUCKET_BOUNDS } from '../data/search-queries.js';
import pg from 'pg';
import { singleOperandRank } from './rank.js';
import { Trigrams } from './trigram.js';

/** A search_products row as the replica loads it (ACTIVE rows only; others are removals). */
export interface ReplicaProductRow {
  id: string;
  slug: string;
  name: string;
  active: boolean;
  /** category_ids and option_values as PostgreSQL prints arrays ('{a,b}'): parsed once per distinct value. */
  categoryIds: string;
  optionValues: string;
  priceMinUsd: number | null;
  priceMinEur: number | null;
  inStock: boolean;
  /** created_at in epoch milliseconds. */
  createdAt: number;
  ratingAverage: number | null;
  ratingCount: number;
  /** search_vector as PostgreSQL prints it: 'lexeme':1A,5 'other':2B … */
  vector: string;
}

export interface ReplicaCategoryRow {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  depth: number;
}

export interface CategoryInfo extends ReplicaCategoryRow {
  ordinal: number;
  /** Trigram ids of the name (suggestions). */
  trigrams: Int32Array;
}

/** Price buckets: below the first bound, …, at or above the last. */
export const BUCKETS = PRICE_BUCKET_BOUNDS.length + 1;

/** width_bucket(price, PRICE_BUCKET_BOUNDS): how many bounds are ≤ price. */
export function bucketOf(price: number): number {
  let bucket = 0;
  while (bucket < PRICE_BUCKET_BOUNDS.length && price >= (PRICE_BUCKET_BOUNDS[bucket] as number)) bucket++;
  return bucket;
}

/**
 * A document's text in one Int32Array: the number of lexemes n, their ids
 * ascending (binary search), each one's place in PostgreSQL's vector order,
 * where each one's positions start (n + 1 offsets, from the array's start),
 * then the positions packed as PostgreSQL's WordEntryPos
 * (position | weight << 14).
 */
export class DocText {
  constructor(readonly data: Int32Array) {}

  get count(): number {
    return this.data[0] as number;
  }

  lexeme(index: number): number {
    return this.data[1 + index] as number;
  }

  vectorOrder(index: number): number {
    return this.data[1 + this.count + index] as number;
  }

  /** Where the lexeme's packed positions start and end in `data`. */
  start(index: number): number {
    return this.data[1 + 2 * this.count + index] as number;
  }

  end(index: number): number {
    return this.data[2 + 2 * this.count + index] as number;
  }

  /** Index of a lexeme id in this document, or -1. */
  find(lexeme: number): number {
    const data = this.data;
    let low = 1;
    let high = data[0] as number;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = data[mid] as number;
      if (value === lexeme) return mid - 1;
      if (value < lexeme) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  /** From lexeme ids in vector order, where each one's positions start in `packed`, and the packed positions. */
  static build(ids: readonly number[], starts: readonly number[], packed: readonly number[]): DocText {
    const n = ids.length;
    const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => (ids[a] as number) - (ids[b] as number));
    const data = new Int32Array(2 + 3 * n + packed.length);
    data[0] = n;
    let at = 2 + 3 * n;
    order.forEach((vectorIndex, index) => {
      data[1 + index] = ids[vectorIndex] as number;
      data[1 + n + index] = vectorIndex;
      data[1 + 2 * n + index] = at;
      const from = starts[vectorIndex] as number;
      const to = vectorIndex + 1 < n ? (starts[vectorIndex + 1] as number) : packed.length;
      for (let i = from; i < to; i++) data[at++] = packed[i] as number;
    });
    data[1 + 3 * n] = at;
    return new DocText(data);
  }
}

/**
 * The documents having a lexeme, by ordinal ascending, each with the
 * ts_rank_cd a query of that lexeme alone gives it (a one-word search reads
 * no document text). Exact: kept in step with every document written.
 */
export class Posting {
  readonly ordinals: number[] = [];
  readonly ranks: number[] = [];

  private indexOf(ordinal: number): number {
    let low = 0;
    let high = this.ordinals.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.ordinals[mid] as number) < ordinal) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  set(ordinal: number, rank: number): void {
    const last = this.ordinals.length - 1;
    if (last < 0 || (this.ordinals[last] as number) < ordinal) {
      this.ordinals.push(ordinal);
      this.ranks.push(rank);
      return;
    }
    const at = this.indexOf(ordinal);
    if (this.ordinals[at] === ordinal) this.ranks[at] = rank;
    else {
      this.ordinals.splice(at, 0, ordinal);
      this.ranks.splice(at, 0, rank);
    }
  }

  delete(ordinal: number): void {
    const at = this.indexOf(ordinal);
    if (this.ordinals[at] !== ordinal) return;
    this.ordinals.splice(at, 1);
    this.ranks.splice(at, 1);
  }
}

export class Doc {
  constructor(
    readonly ordinal: number,
    readonly id: string,
    readonly name: string,
    readonly slug: string,
    /** Interned category path (store.paths) and option set (store.optionSets). */
    readonly path: number,
    readonly optionSet: number,
    /** Category ordinals as stored in category_ids (root first). */
    readonly cats: Int32Array,
    /** Option value ordinals. */
    readonly opts: Int32Array,
    /** Lowest price per currency (CURRENCIES order), null when not priced in it. */
    readonly prices: readonly (number | null)[],
    readonly inStock: boolean,
    readonly createdAt: number,
    readonly ratingAverage: number | null,
    readonly ratingCount: number,
    readonly text: DocText,
    /** Its entry in the suggestion names. */
    readonly nameKey: string,
  ) {}

  hasCategory(ordinal: number): boolean {
    return this.cats.includes(ordinal);
  }

  price(currency: CurrencyCode): number | null {
    return this.prices[CURRENCIES.indexOf(currency)] ?? null;
  }
}

/** Counts of a set of documents, for the facets of a browse. */
export class FacetCounts {
  total = 0;
  inStock = 0;
  outOfStock = 0;
  /** [currency][bucket] */
  readonly prices: number[][] = CURRENCIES.map(() => new Array<number>(BUCKETS).fill(0));
  /** By option ordinal. */
  readonly options: number[] = [];

  apply(doc: Doc, sign: 1 | -1): void {
    this.total += sign;
    if (doc.inStock) this.inStock += sign;
    else this.outOfStock += sign;
    doc.prices.forEach((price, currency) => {
      if (price === null) return;
      const buckets = this.prices[currency] as number[];
      const bucket = bucketOf(price);
      buckets[bucket] = (buckets[bucket] ?? 0) + sign;
    });
    for (const option of doc.opts) this.options[option] = (this.options[option] ?? 0) + sign;
  }
}

/** A distinct product name (case-insensitive) and the ACTIVE products carrying it. */
export interface SuggestName {
  key: string;
  /** Position in `store.nameList` (set when listed). */
  ordinal: number;
  trigrams: Int32Array;
  /** Code points of the key (PostgreSQL's length()). */
  length: number;
  /** Usually one or two. */
  docs: Doc[];
}

/**
 * Every document's option ordinals, one after the other in one array, so a
 * scan over documents in ordinal order reads them in order. A document whose
 * options change gets a new stretch at the end; the array is compacted when
 * more than half of it is stale.
 */
export class OptionPool {
  data = new Int32Array(1_024);
  used = 0;
  live = 0;

  /** Where `options` now start (the old stretch reused when they fit). */
  place(options: Int32Array, previousStart: number, previousCount: number): number {
    if (previousCount > 0 && options.length <= previousCount) {
      this.data.set(options, previousStart);
      this.live += options.length - previousCount;
      return previousStart;
    }
    if (this.used + options.length > this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, this.used + options.length));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const start = this.used;
    this.data.set(options, start);
    this.used += options.length;
    this.live += options.length - previousCount;
    return start;
  }

  release(count: number): void {
    this.live -= count;
  }

  get wasteful(): boolean {
    return this.used > 4_096 && this.used > 2 * this.live;
  }
}

/** Per-ordinal values of the documents, grown by doubling. */
export class Columns {
  readonly path: Int32Array;
  readonly optionSet: Int32Array;
  /** The document's option ordinals: pool.data[optionStart, optionStart + optionCount). */
  readonly optionStart: Int32Array;
  readonly optionCount: Int32Array;
  /** ordinal × CURRENCIES.length + currency; NaN: not priced in it. */
  readonly price: Float64Array;
  readonly inStock: Uint8Array;
  readonly createdAt: Float64Array;
  /** NaN: unrated. */
  readonly rating: Float64Array;
  readonly ratingCount: Int32Array;
  /** The id's first 48 bits (its first 12 hex digits): orders ids as their text does, ties aside. */
  readonly idKey: Float64Array;

  constructor(
    readonly capacity: number,
    readonly pool = new OptionPool(),
  ) {
    this.path = new Int32Array(capacity);
    this.optionSet = new Int32Array(capacity);
    this.optionStart = new Int32Array(capacity);
    this.optionCount = new Int32Array(capacity);
    this.price = new Float64Array(capacity * CURRENCIES.length);
    this.inStock = new Uint8Array(capacity);
    this.createdAt = new Float64Array(capacity);
    this.rating = new Float64Array(capacity);
    this.ratingCount = new Int32Array(capacity);
    this.idKey = new Float64Array(capacity);
  }

  /** These columns, or larger ones with the same values, with room for `ordinal`. */
  holding(ordinal: number): Columns {
    if (ordinal < this.capacity) return this;
    const grown = new Columns(Math.max(1_024, (ordinal + 1) * 2), this.pool);
    grown.path.set(this.path);
    grown.optionSet.set(this.optionSet);
    grown.optionStart.set(this.optionStart);
    grown.optionCount.set(this.optionCount);
    grown.price.set(this.price);
    grown.inStock.set(this.inStock);
    grown.createdAt.set(this.createdAt);
    grown.rating.set(this.rating);
    grown.ratingCount.set(this.ratingCount);
    grown.idKey.set(this.idKey);
    return grown;
  }

  /** Writes a document's values; `previous`: the one it replaces (its option stretch may be reused). */
  write(doc: Doc, previous: boolean): void {
    const o = doc.ordinal;
    this.path[o] = doc.path;
    this.optionSet[o] = doc.optionSet;
    this.optionStart[o] = this.pool.place(doc.opts, this.optionStart[o] as number, previous ? (this.optionCount[o] as number) : 0);
    this.optionCount[o] = doc.opts.length;
    doc.prices.forEach((price, currency) => {
      this.price[o * CURRENCIES.length + currency] = price ?? Number.NaN;
    });
    this.inStock[o] = doc.inStock ? 1 : 0;
    this.createdAt[o] = doc.createdAt;
    this.rating[o] = doc.ratingAverage ?? Number.NaN;
    this.ratingCount[o] = doc.ratingCount;
    this.idKey[o] = Number.parseInt(doc.id.slice(0, 8) + doc.id.slice(9, 13), 16);
  }

  /** A removed document's options go stale. */
  clear(ordinal: number): void {
    this.pool.release(this.optionCount[ordinal] as number);
    this.optionCount[ordinal] = 0;
  }

  /** Rewrites the option pool in ordinal order, without the stale stretches. */
  compactOptions(docs: readonly (Doc | undefined)[]): void {
    const pool = new OptionPool();
    for (const doc of docs) {
      if (!doc) continue;
      this.optionStart[doc.ordinal] = pool.place(doc.opts, 0, 0);
      this.optionCount[doc.ordinal] = doc.opts.length;
    }
    this.pool.data = pool.data;
    this.pool.used = pool.used;
    this.pool.live = pool.live;
  }
}

export class ReplicaStore {
  readonly trigrams = new Trigrams();
  private readonly ordinals = new Map<string, number>();
  readonly docs: (Doc | undefined)[] = [];
  activeCount = 0;

  readonly lexicon = new Map<string, number>();
  /** By lexeme id. */
  readonly postings: Posting[] = [];

  readonly categoryOrdinals = new Map<string, number>();
  /** By category ordinal: the search_categories row, when there is one. */
  readonly categories: (CategoryInfo | undefined)[] = [];
  readonly optionOrdinals = new Map<string, number>();
  readonly optionKeys: string[] = [];
  /** The option name of each option ordinal ("Size" of "Size\u001fM"), and its number (optionNameIds). */
  readonly optionNames: string[] = [];
  readonly optionNameOf: number[] = [];
  readonly optionNameIds = new Map<string, number>();
  /** Distinct category paths and option sets (documents share them), by id. */
  readonly paths: Int32Array[] = [];
  readonly optionSets: Int32Array[] = [];
  private readonly pathIds = new Map<string, number>();
  private readonly optionSetIds = new Map<string, number>();

  /**
   * What a search judges, per document ordinal, in typed arrays: scanning
   * matches reads them in ordinal order instead of chasing each document.
   */
  columns = new Columns(0);

  /** Every document. */
  readonly all = new FacetCounts();
  /** By category ordinal: the documents in that category or below. */
  readonly byCategory: (FacetCounts | undefined)[] = [];
  /** By category ordinal: entries in category_ids over all documents (the category facet without a category filter). */
  readonly categoryEntries: number[] = [];

  /** Doc ordinals, newest first (created_at DESC, id DESC): all, and by category ordinal (the category or below). */
  newest: number[] = [];
  readonly newestIn: (number[] | undefined)[] = [];
  /** A full load: newest is sorted once at the end instead of kept sorted. */
  private bulk = false;

  /** Changes whenever what suggestions depend on (names, their products, categories) changes: memoised suggestions key on it. */
  suggestionsVersion = 0;
  readonly names = new Map<string, SuggestName>();
  readonly nameList: (SuggestName | undefined)[] = [];
  /** Suggestion name ordinals per trigram id (names whose words contain it). */
  readonly nameTrigrams: number[][] = [];
  /** By name ordinal: which characters its key has (charMask), to skip names quickly for prefixes too short for trigrams. */
  nameChars = new Int32Array(0);

  // -------------------------------------------------------------------------
  // Dictionaries

  categoryOrdinal(id: string): number {
    let ordinal = this.categoryOrdinals.get(id);
    if (ordinal === undefined) {
      ordinal = this.categoryOrdinals.size;
      this.categoryOrdinals.set(id, ordinal);
    }
    return ordinal;
  }

  optionOrdinal(key: string): number {
    let ordinal = this.optionOrdinals.get(key);
    if (ordinal === undefined) {
      ordinal = this.optionKeys.length;
      this.optionOrdinals.set(key, ordinal);
      this.optionKeys.push(key);
      const { name } = splitOptionKey(key);
      this.optionNames.push(name);
      let nameId = this.optionNameIds.get(name);
      if (nameId === undefined) {
        nameId = this.optionNameIds.size;
        this.optionNameIds.set(name, nameId);
      }
      this.optionNameOf.push(nameId);
    }
    return ordinal;
  }

  lexemeId(lexeme: string): number {
    let id = this.lexicon.get(lexeme);
    if (id === undefined) {
      id = this.postings.length;
      this.lexicon.set(lexeme, id);
      this.postings.push(new Posting());
    }
    return id;
  }

  /**
   * The id of an interned array of ordinals (category paths, option sets),
   * by the array literal PostgreSQL printed: documents share a few of them,
   * so each distinct literal is parsed once.
   */
  private intern(literal: string, ids: Map<string, number>, table: Int32Array[], ordinal: (value: string) => number): number {
    let id = ids.get(literal);
    if (id === undefined) {
      const values = parseTextArray(literal).map(ordinal);
      const key = values.join(',');
      // Two literals can spell one array (quoting): key the table by the ordinals too.
      id = ids.get(key);
      if (id === undefined) {
        id = table.length;
        ids.set(key, id);
        table.push(Int32Array.from(values));
      }
      ids.set(literal, id);
    }
    return id;
  }

  doc(id: string): Doc | undefined {
    const ordinal = this.ordinals.get(id);
    return ordinal === undefined ? undefined : this.docs[ordinal];
  }

  // -------------------------------------------------------------------------
  // Writes (SearchReplica only)

  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    const docs = this.docs;
    const order = (a: number, b: number): number => newerFirst(docs[a] as Doc, docs[b] as Doc);
    this.newest.sort(order);
    for (const list of this.newestIn) list?.sort(order);
    this.orderNames();
  }

  /**
   * Numbers the suggestion names shortest first, then alphabetically (the
   * order ties are broken in), and rebuilds their trigram postings in that
   * order: when a prefix is in more names than a request scores, the names
   * scored are the ones most likely to win. Names added later go last.
   */
  private orderNames(): void {
    const names = this.nameList.filter((name): name is SuggestName => name !== undefined && name.docs.length > 0);
    names.sort((a, b) => a.length - b.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.nameList.length = 0;
    this.nameTrigrams.length = 0;
    this.names.clear();
    for (const name of names) this.listName(name);
  }

  /** Lists a name; its trigram postings wait for the end of a full load (orderNames). */
  private listName(name: SuggestName): void {
    name.ordinal = this.nameList.length;
    this.names.set(name.key, name);
    this.nameList.push(name);
    if (this.nameChars.length <= name.ordinal) {
      const grown = new Int32Array(Math.max(1_024, this.nameChars.length * 2));
      grown.set(this.nameChars);
      this.nameChars = grown;
    }
    this.nameChars[name.ordinal] = charMask(name.key);
    if (this.bulk) return;
    for (const trigram of new Set(name.trigrams)) {
      while (this.nameTrigrams.length <= trigram) this.nameTrigrams.push([]);
      (this.nameTrigrams[trigram] as number[]).push(name.ordinal);
    }
  }

  upsertCategory(row: ReplicaCategoryRow): void {
    this.suggestionsVersion++;
    const ordinal = this.categoryOrdinal(row.id);
    this.categories[ordinal] = { ...row, ordinal, trigrams: this.trigrams.of(row.name) };
  }

  /** Applies a row: an ACTIVE one replaces the document, any other removes it. */
  upsert(row: ReplicaProductRow): void {
    if (!row.active) {
      this.remove(row.id);
      return;
    }
    let ordinal = this.ordinals.get(row.id);
    if (ordinal === undefined) {
      ordinal = this.docs.length;
      this.ordinals.set(row.id, ordinal);
      this.docs.push(undefined);
    }
    const previous = this.docs[ordinal];
    const doc = this.toDoc(ordinal, row);
    // A stock or price update keeps the document's place in the newest lists and its suggestion name.
    const same = previous !== undefined && previous.createdAt === doc.createdAt && previous.path === doc.path;
    const sameName = previous !== undefined && previous.nameKey === doc.nameKey;
    if (previous) this.detach(previous, same, sameName);
    this.docs[ordinal] = doc;
    this.attach(doc, same, sameName, previous !== undefined);
    if (previous && sameName) this.renameDoc(previous, doc);
    this.updatePostings(previous, doc);
  }

  remove(id: string): void {
    const ordinal = this.ordinals.get(id);
    const previous = ordinal === undefined ? undefined : this.docs[ordinal];
    if (ordinal === undefined || !previous) return;
    this.detach(previous, false, false);
    this.docs[ordinal] = undefined;
    this.columns.clear(ordinal);
    if (this.columns.pool.wasteful) this.columns.compactOptions(this.docs);
    this.updatePostings(previous, undefined);
  }

  private toDoc(ordinal: number, row: ReplicaProductRow): Doc {
    const path = this.intern(row.categoryIds, this.pathIds, this.paths, (id) => this.categoryOrdinal(id));
    const optionSet = this.intern(row.optionValues, this.optionSetIds, this.optionSets, (key) => this.optionOrdinal(key));
    const prices = CURRENCIES.map((currency) => (currency === 'USD' ? row.priceMinUsd : row.priceMinEur));
    return new Doc(
      ordinal,
      row.id,
      row.name,
      row.slug,
      path,
      optionSet,
      this.paths[path] as Int32Array,
      this.optionSets[optionSet] as Int32Array,
      prices,
      row.inStock,
      row.createdAt,
      row.ratingAverage,
      row.ratingCount,
      this.parseVector(row.vector),
      row.name.toLowerCase(),
    );
  }

  /** Counts, columns, newest lists (unless `keepPlace`) and suggestion names (unless `keepName`) gain the document. */
  private attach(doc: Doc, keepPlace: boolean, keepName: boolean, replacing: boolean): void {
    this.activeCount++;
    this.columns = this.columns.holding(doc.ordinal);
    this.columns.write(doc, replacing);
    this.all.apply(doc, 1);
    for (const cat of distinct(doc.cats)) {
      let counts = this.byCategory[cat];
      if (!counts) {
        counts = new FacetCounts();
        this.byCategory[cat] = counts;
      }
      counts.apply(doc, 1);
      // A category with its first ACTIVE product becomes suggestible.
      if (counts.total === 1) this.suggestionsVersion++;
    }
    for (const cat of doc.cats) this.categoryEntries[cat] = (this.categoryEntries[cat] ?? 0) + 1;
    if (!keepPlace) {
      this.insertNewest(this.newest, doc);
      for (const cat of distinct(doc.cats)) {
        let list = this.newestIn[cat];
        if (!list) {
          list = [];
          this.newestIn[cat] = list;
        }
        this.insertNewest(list, doc);
      }
    }
    if (!keepName) this.addName(doc);
  }

  private detach(doc: Doc, keepPlace: boolean, keepName: boolean): void {
    this.activeCount--;
    this.all.apply(doc, -1);
    for (const cat of distinct(doc.cats)) {
      const counts = this.byCategory[cat];
      counts?.apply(doc, -1);
      if (counts?.total === 0) this.suggestionsVersion++;
    }
    for (const cat of doc.cats) this.categoryEntries[cat] = (this.categoryEntries[cat] ?? 0) - 1;
    if (!keepPlace) {
      this.removeNewest(this.newest, doc);
      for (const cat of distinct(doc.cats)) {
        const list = this.newestIn[cat];
        if (list) this.removeNewest(list, doc);
      }
    }
    if (!keepName) this.removeName(doc);
  }

  private insertNewest(list: number[], doc: Doc): void {
    if (this.bulk) list.push(doc.ordinal);
    else list.splice(this.newestIndex(list, doc), 0, doc.ordinal);
  }

  private removeNewest(list: number[], doc: Doc): void {
    const at = this.newestIndex(list, doc);
    list.splice(list[at] === doc.ordinal ? at : list.indexOf(doc.ordinal), 1);
  }

  /** Where the document sits (or would sit) in a newest-first list. */
  private newestIndex(list: readonly number[], doc: Doc): number {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = this.docs[list[mid] as number];
      if (other && other !== doc && newerFirst(other, doc) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Postings follow the document: its lexemes (with their one-word rank) in, the ones it lost out. */
  private updatePostings(previous: Doc | undefined, doc: Doc | undefined): void {
    if (doc) {
      const text = doc.text;
      for (let index = 0; index < text.count; index++) {
        (this.postings[text.lexeme(index)] as Posting).set(doc.ordinal, singleOperandRank(text, index));
      }
    }
    if (previous) {
      const text = previous.text;
      for (let index = 0; index < text.count; index++) {
        const lexeme = text.lexeme(index);
        if (!doc || doc.text.find(lexeme) < 0) (this.postings[lexeme] as Posting).delete(previous.ordinal);
      }
    }
  }

  /** The same name, a new document object: suggestions change only if its text or slug did. */
  private renameDoc(previous: Doc, doc: Doc): void {
    const docs = this.names.get(doc.nameKey)?.docs;
    const at = docs ? docs.indexOf(previous) : -1;
    if (docs && at >= 0) docs[at] = doc;
    if (previous.name !== doc.name || previous.slug !== doc.slug) this.suggestionsVersion++;
  }

  private addName(doc: Doc): void {
    this.suggestionsVersion++;
    let name = this.names.get(doc.nameKey);
    if (!name) {
      name = { key: doc.nameKey, ordinal: -1, trigrams: this.trigrams.of(doc.nameKey), length: [...doc.nameKey].length, docs: [] };
      this.listName(name);
    }
    name.docs.push(doc);
  }

  private removeName(doc: Doc): void {
    this.suggestionsVersion++;
    // An emptied name keeps its place (and postings): it is skipped while empty and refilled if the name returns.
    const docs = this.names.get(doc.nameKey)?.docs;
    const at = docs ? docs.indexOf(doc) : -1;
    if (docs && at >= 0) docs.splice(at, 1);
  }

  /** PostgreSQL's text form of a tsvector → DocText (lexemes interned). */
  private parseVector(text: string): DocText {
    const ids: number[] = [];
    const starts: number[] = [];
    const packed: number[] = [];
    let at = 0;
    const length = text.length;
    while (at < length) {
      // 'lexeme' — quotes inside are doubled, a backslash escapes the next character.
      const open = text.indexOf("'", at);
      if (open < 0) break;
      let close = open + 1;
      let escaped = false;
      for (;;) {
        const char = text.charCodeAt(close);
        if (Number.isNaN(char)) throw new Error('unterminated tsvector lexeme');
        if (char === 92) {
          escaped = true;
          close += 2;
        } else if (char === 39) {
          if (text.charCodeAt(close + 1) !== 39) break;
          escaped = true;
          close += 2;
        } else close++;
      }
      const raw = text.slice(open + 1, close);
      ids.push(this.lexemeId(escaped ? raw.replace(/''/g, "'").replace(/\\(.)/g, '$1') : raw));
      starts.push(packed.length);
      at = close + 1;
      // :1A,5,12C — positions, each with an optional weight letter (D is printed as none).
      if (text.charCodeAt(at) === 58) {
        at++;
        let position = 0;
        for (;;) {
          const char = text.charCodeAt(at);
          if (char >= 48 && char <= 57) {
            position = position * 10 + (char - 48);
            at++;
            continue;
          }
          let weight = 0;
          if (char >= 65 && char <= 68) {
            weight = 68 - char;
            at++;
          }
          packed.push(position | (weight << 14));
          position = 0;
          if (text.charCodeAt(at) !== 44) break;
          at++;
        }
      }
    }
    return DocText.build(ids, starts, packed);
  }
}

/** pg's parser for text[] literals (uuid[] prints alike). */
const TEXT_ARRAY_OID = 1009;
const parseTextArray = (pg.types.getTypeParser as (oid: number) => (literal: string) => string[])(TEXT_ARRAY_OID);

/**
 * A 32-bit summary of the characters of a lowercased text: a to z, digits
 * (folded onto 6 bits), anything else one bit. If text contains prefix,
 * every bit of the prefix's mask is in the text's.
 */
export function charMask(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 97 && code <= 122) mask |= 1 << (code - 97);
    else if (code >= 48 && code <= 57) mask |= 1 << (26 + ((code - 48) % 5));
    else mask |= 1 << 31;
  }
  return mask;
}

function distinct(values: Int32Array): Iterable<number> {
  return values.length < 2 ? values : new Set(values);
}

/** created_at DESC, id DESC: negative when `a` comes first. */
export function newerFirst(a: Doc, b: Doc): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}
