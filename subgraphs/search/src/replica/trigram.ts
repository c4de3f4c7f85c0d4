/**
 * pg_trgm's word_similarity(a, b), computed as the extension computes it, so
 * in-process suggestions score and filter (`a <% b`) exactly like the SQL they
 * replace. Trigrams come from each word (a run of letters and digits),
 * lowercased and padded with two spaces before and one after; the score is
 * the best, over contiguous stretches of b's trigrams, of
 * shared / (trigrams of a + trigrams of the stretch - shared), in float4.
 *
 * Trigrams are interned as small integers (a Trigrams dictionary per
 * process), so a name's trigrams are computed once and compared as numbers.
 * PostgreSQL hashes trigrams of multibyte characters to three bytes; here
 * they stay exact, which differs only on a hash collision.
 */

/** Interns trigrams: the same three characters, the same id. */
export class Trigrams {
  private readonly ids = new Map<string, number>();
  /** Scratch per trigram id (word similarity): in the shopper's text, and last position seen (-1: unset). */
  private found = new Uint8Array(0);
  private lastPos = new Int32Array(0);

  get size(): number {
    return this.ids.size;
  }

  id(trigram: string): number {
    let id = this.ids.get(trigram);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(trigram, id);
    }
    return id;
  }

  /** An existing id, or -1 (a trigram no name has). */
  lookup(trigram: string): number {
    return this.ids.get(trigram) ?? -1;
  }

  /** The trigram ids of a stored name in order, duplicates kept (what word similarity walks); interns new trigrams. */
  of(text: string): Int32Array {
    return Int32Array.from(trigramsOf(text), (trigram) => this.id(trigram));
  }

  /**
   * The trigram ids of a shopper's text, without interning: a trigram no
   * name has gets a negative id of its own (it still counts in the text's size).
   */
  query(text: string): Int32Array {
    const unknown = new Map<string, number>();
    return Int32Array.from(trigramsOf(text), (trigram) => {
      const id = this.ids.get(trigram);
      if (id !== undefined) return id;
      let negative = unknown.get(trigram);
      if (negative === undefined) {
        negative = -1 - unknown.size;
        unknown.set(trigram, negative);
      }
      return negative;
    });
  }

  /** A shopper's text prepared for wordSimilarity (its trigrams marked once, not per name compared). */
  prepare(text: string): PreparedTrigrams {
    const ids = this.query(text);
    return { ids, known: Array.from(new Set(ids)).filter((id) => id >= 0), distinct: new Set(ids).size };
  }

  /** word_similarity(a, b) as float4, for a prepared text `a` and a name's trigram ids `b` (from of()). */
  wordSimilarity(a: PreparedTrigrams, b: Int32Array): number {
    if (this.found.length < this.ids.size) {
      this.found = new Uint8Array(Math.max(this.ids.size, this.found.length * 2));
      this.lastPos = new Int32Array(this.found.length).fill(-1);
    }
    const found = this.found;
    const lastPos = this.lastPos;
    for (const id of a.known) found[id] = 1;
    const ulen1 = a.distinct;
    let ulen2 = 0;
    let count = 0;
    let lower = -1;
    let best = 0;
    for (let i = 0; i < b.length; i++) {
      const t = b[i] as number;
      const isFound = found[t] === 1;
      if (lower >= 0 || isFound) {
        if (lastPos[t] === -1) {
          ulen2++;
          if (isFound) count++;
        }
        lastPos[t] = i;
      }
      if (!isFound) continue;
      const upper = i;
      if (lower === -1) {
        lower = i;
        ulen2 = 1;
      }
      let current = similarity(count, ulen1, ulen2);
      // Try moving the lower bound up for a better score.
      let tmpCount = count;
      let tmpUlen2 = ulen2;
      const previousLower = lower;
      for (let tmpLower = lower; tmpLower <= upper; tmpLower++) {
        const candidate = similarity(tmpCount, ulen1, tmpUlen2);
        if (candidate > current) {
          current = candidate;
          ulen2 = tmpUlen2;
          lower = tmpLower;
          count = tmpCount;
        }
        const tt = b[tmpLower] as number;
        if (lastPos[tt] === tmpLower) {
          tmpUlen2--;
          if (found[tt] === 1) tmpCount--;
        }
      }
      if (current > best) best = current;
      for (let tmpLower = previousLower; tmpLower < lower; tmpLower++) {
        const tt = b[tmpLower] as number;
        if (lastPos[tt] === tmpLower) lastPos[tt] = -1;
      }
    }
    for (let i = 0; i < b.length; i++) lastPos[b[i] as number] = -1;
    for (const id of a.known) found[id] = 0;
    return best;
  }
}

export interface PreparedTrigrams {
  /** Trigram ids in order (negative: a trigram no name has). */
  ids: Int32Array;
  /** Distinct ids that some name has. */
  known: number[];
  /** Distinct trigrams of the text (pg_trgm's ulen1). */
  distinct: number;
}

/** count / (len1 + len2 - count) in float4, as pg_trgm's CALCSML. */
const similarity = (count: number, len1: number, len2: number): number => Math.fround(count / (len1 + len2 - count));

const WORD = /[\p{L}\p{N}]+/gu;

/** Each word (a run of letters and digits), lowercased and padded "  word ", cut into three-character windows. */
function trigramsOf(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(WORD) ?? []) {
    const chars = [' ', ' ', ...word.toLowerCase(), ' '];
    for (let i = 0; i + 2 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  return out;
}
