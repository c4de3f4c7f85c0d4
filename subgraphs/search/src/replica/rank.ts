/**
 * ts_rank_cd(vector, query) with PostgreSQL's default weights and no
 * normalisation, computed as PostgreSQL computes it (cover density), so the
 * replica orders results exactly as `ORDER BY ts_rank_cd(...) DESC, id DESC`
 * did: same arithmetic in doubles, rounded to a float4 at the end.
 *
 * The document's representation is every position of a query operand,
 * ascending. A cover is a shortest stretch of it that satisfies the query
 * (found forwards, then shrunk backwards); each cover adds
 * (entries / Σ 1/weight) / (1 + noise words), noise being the positions in
 * the stretch that are not query operands.
 */
import type { DocText } from './store.js';
import { execute, type OperandSource, type TsQuery } from './tsquery.js';

/** Weights D, C, B, A as float4, as PostgreSQL holds them; a position's weight class indexes this. */
const INVERSE_WEIGHTS = [0.1, 0.2, 0.4, 1.0].map((w) => 1 / Math.fround(w));

/** One position of a query operand in the document. */
interface Entry {
  pos: number;
  /** 0 = D … 3 = A. */
  weight: number;
  /** Orders entries at the same position and weight (the lexeme's place in the vector). */
  lexeme: number;
  /** Query items (operands) matching this lexeme. */
  items: number[];
}

/** What the ranker needs of a document: where the lexeme of a query item is in its text. */
export interface RankSource {
  /** The document's text and the index of the item's lexeme in it; null when the document lacks it. */
  located(item: number): { text: DocText; index: number } | null;
}

/** Operand presence and positions over the part of the representation scanned so far. */
class PartialSource implements OperandSource {
  readonly found: (number[] | undefined)[];
  constructor(items: number) {
    this.found = new Array(items);
  }
  reset(): void {
    this.found.fill(undefined);
  }
  add(entry: Entry): void {
    for (const item of entry.items) {
      const list = this.found[item];
      if (!list) this.found[item] = [entry.pos];
      else if (!list.includes(entry.pos)) {
        list.push(entry.pos);
        list.sort((a, b) => a - b);
      }
    }
  }
  has(item: number): boolean {
    return this.found[item] !== undefined;
  }
  positions(item: number): readonly number[] {
    return this.found[item] ?? [];
  }
}

function representation(query: TsQuery, doc: RankSource): Entry[] {
  const raw: { pos: number; weight: number; lexeme: number; item: number }[] = [];
  query.lexemes.forEach((_, item) => {
    const found = doc.located(item);
    if (!found) return;
    const { text, index } = found;
    const lexeme = text.vectorOrder(index);
    for (let i = text.start(index), end = text.end(index); i < end; i++) {
      const packed = text.data[i] as number;
      raw.push({ pos: packed & 0x3fff, weight: packed >> 14, lexeme, item });
    }
  });
  raw.sort((a, b) => a.pos - b.pos || a.weight - b.weight || a.lexeme - b.lexeme);
  const entries: Entry[] = [];
  for (const r of raw) {
    const last = entries[entries.length - 1];
    if (last && last.pos === r.pos && last.weight === r.weight && last.lexeme === r.lexeme) last.items.push(r.item);
    else entries.push({ pos: r.pos, weight: r.weight, lexeme: r.lexeme, items: [r.item] });
  }
  return entries;
}

interface Cover {
  /** Index of the first representation entry to look at next time. */
  next: number;
  /** Positions of the cover's ends, and the entries' indexes. */
  p: number;
  q: number;
  begin: number;
  end: number;
}

/** The next cover at or after `from`, or null. */
function nextCover(query: TsQuery, doc: Entry[], source: PartialSource, from: number): Cover | null {
  const root = query.root;
  if (!root) return null;
  for (let start = from; start < doc.length; start++) {
    // Upper bound: the first entry at which the query holds, scanning forwards.
    source.reset();
    let end = -1;
    for (let i = start; i < doc.length; i++) {
      source.add(doc[i] as Entry);
      if (execute(root, source)) {
        end = i;
        break;
      }
    }
    if (end < 0) return null;
    const q = (doc[end] as Entry).pos;
    // Lower bound: from there, scanning backwards.
    source.reset();
    let begin = -1;
    for (let i = end; i >= start; i--) {
      source.add(doc[i] as Entry);
      if (execute(root, source)) {
        begin = i;
        break;
      }
    }
    if (begin >= 0 && (doc[begin] as Entry).pos <= q) return { next: begin + 1, p: (doc[begin] as Entry).pos, q, begin, end };
  }
  return null;
}

/**
 * ts_rank_cd of a query that is one operand, from the lexeme's positions in
 * a document: every position is a cover of its own, adding its weight (as
 * 1 / (1 / weight), PostgreSQL's arithmetic), positions ascending.
 */
export function singleOperandRank(text: DocText, index: number): number {
  let total = 0;
  for (let i = text.start(index), end = text.end(index); i < end; i++) {
    total += 1 / (INVERSE_WEIGHTS[(text.data[i] as number) >> 14] as number) / 1;
  }
  return Math.fround(total);
}

/** ts_rank_cd as a float4 value. */
export function rankCd(query: TsQuery, doc: RankSource): number {
  if (query.root?.kind === 'val') {
    const found = doc.located(query.root.item);
    return found ? singleOperandRank(found.text, found.index) : 0;
  }
  const entries = representation(query, doc);
  if (entries.length === 0) return 0;
  const source = new PartialSource(query.lexemes.length);
  let total = 0;
  let from = 0;
  for (;;) {
    const cover = nextCover(query, entries, source, from);
    if (!cover) break;
    let inverseSum = 0;
    for (let i = cover.begin; i <= cover.end; i++) inverseSum += INVERSE_WEIGHTS[(entries[i] as Entry).weight] as number;
    const density = (cover.end - cover.begin + 1) / inverseSum;
    let noise = cover.q - cover.p - (cover.end - cover.begin);
    if (noise < 0) noise = Math.trunc((cover.end - cover.begin) / 2);
    total += density / (1 + noise);
    from = cover.next;
  }
  return Math.fround(total);
}
