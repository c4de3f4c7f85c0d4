/**
 * PostgreSQL text-search queries, evaluated in process with PostgreSQL's own
 * semantics, so the replica finds exactly the documents `search_vector @@ q`
 * finds. PostgreSQL still parses and stems the shopper's text
 * (`websearch_to_tsquery('english', text)::text`); this module reads that
 * output back into a tree and evaluates it against a document's lexeme
 * positions:
 *
 * - &, |, ! as booleans above any phrase operator;
 * - <-> and <N> (phrases) on positions: a match's positions are the ends of
 *   its matches and its width the sum of the distances; AND and OR inside a
 *   phrase align the narrower side to the right, and NOT inside a phrase means
 *   "everywhere except", as PostgreSQL 13+ defines them.
 *
 * Operands with a prefix (`:*`) or weight restriction (`:AB`) are not
 * supported (websearch_to_tsquery never writes them): parseTsQuery returns
 * null and the caller asks PostgreSQL instead.
 */

export type QueryNode =
  | { kind: 'val'; /** Item number: operands are told apart by position, as in PostgreSQL. */ item: number; lexeme: string }
  | { kind: 'not'; arg: QueryNode }
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'phrase'; distance: number; left: QueryNode; right: QueryNode };

export interface TsQuery {
  root: QueryNode | null;
  /** Operand lexemes by item number. */
  lexemes: string[];
  /** Some phrase operator: evaluation needs positions. */
  hasPhrase: boolean;
}

/** What evaluation asks of a document (or of a partial view of one). */
export interface OperandSource {
  /** Whether the operand with this item number is present. */
  has(item: number): boolean;
  /** Its positions, ascending and unique (called only when has() is true). */
  positions(item: number): readonly number[];
}

// ---------------------------------------------------------------------------
// Parsing PostgreSQL's text form: ! binds tightest, then <->/<N>, then &, then |; all left-associative.

class Reader {
  at = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.at < this.text.length && this.text[this.at] === ' ') this.at++;
  }
  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.at];
  }
}

class Unsupported extends Error {}

/** The tree of a tsquery's text output, or null when it uses what this module does not evaluate. */
export function parseTsQuery(text: string): TsQuery | null {
  const reader = new Reader(text);
  const lexemes: string[] = [];
  let hasPhrase = false;

  const operand = (): QueryNode => {
    if (reader.text[reader.at] !== "'") throw new Unsupported(`operand expected at ${reader.at}`);
    reader.at++;
    let lexeme = '';
    for (;;) {
      const char = reader.text[reader.at];
      if (char === undefined) throw new Unsupported('unterminated operand');
      if (char === '\\') {
        lexeme += reader.text[reader.at + 1] ?? '';
        reader.at += 2;
      } else if (char === "'") {
        if (reader.text[reader.at + 1] === "'") {
          lexeme += "'";
          reader.at += 2;
        } else {
          reader.at++;
          break;
        }
      } else {
        lexeme += char;
        reader.at++;
      }
    }
    // ':*' (prefix) or ':ABCD' (weights) follow an operand that has them.
    if (reader.text[reader.at] === ':') throw new Unsupported('prefix or weighted operand');
    lexemes.push(lexeme);
    return { kind: 'val', item: lexemes.length - 1, lexeme };
  };

  const unary = (): QueryNode => {
    const next = reader.peek();
    if (next === '!') {
      reader.at++;
      return { kind: 'not', arg: unary() };
    }
    if (next === '(') {
      reader.at++;
      const inner = or();
      if (reader.peek() !== ')') throw new Unsupported('unbalanced parenthesis');
      reader.at++;
      return inner;
    }
    return operand();
  };

  const phrase = (): QueryNode => {
    let left = unary();
    for (;;) {
      reader.skipSpace();
      const match = /^<(-|\d+)>/.exec(reader.text.slice(reader.at, reader.at + 8));
      if (!match) return left;
      reader.at += match[0].length;
      hasPhrase = true;
      const distance = match[1] === '-' ? 1 : Number.parseInt(match[1] ?? '1', 10);
      left = { kind: 'phrase', distance, left, right: unary() };
    }
  };

  const binary = (symbol: '&' | '|', kind: 'and' | 'or', next: () => QueryNode) => (): QueryNode => {
    let left = next();
    while (reader.peek() === symbol) {
      reader.at++;
      left = { kind, left, right: next() };
    }
    return left;
  };
  const and = binary('&', 'and', phrase);
  const or = binary('|', 'or', and);

  try {
    if (reader.peek() === undefined) return { root: null, lexemes, hasPhrase: false };
    const root = or();
    if (reader.peek() !== undefined) throw new Unsupported(`trailing text at ${reader.at}`);
    return { root, lexemes, hasPhrase };
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Evaluation

/** Whether the query matches (an empty query matches nothing). */
export function matches(query: TsQuery, source: OperandSource): boolean {
  return query.root !== null && execute(query.root, source);
}

/** Boolean evaluation above phrase operators. */
export function execute(node: QueryNode, source: OperandSource): boolean {
  switch (node.kind) {
    case 'val':
      return source.has(node.item);
    case 'not':
      return !execute(node.arg, source);
    case 'and':
      return execute(node.left, source) && execute(node.right, source);
    case 'or':
      return execute(node.left, source) || execute(node.right, source);
    case 'phrase':
      return executePhrase(node, source, null);
  }
}

/**
 * A match's positions below a phrase operator. `negate`: the positions are
 * where it does NOT match (no positions and negate: it matches everywhere).
 * `width`: the match's length in lexemes, less one; positions are match ends.
 */
interface PhraseData {
  pos: number[];
  negate: boolean;
  width: number;
}

const newData = (): PhraseData => ({ pos: [], negate: false, width: 0 });

const EMIT_L_ONLY = 1;
const EMIT_R_ONLY = 2;
const EMIT_BOTH = 4;

function executePhrase(node: QueryNode, source: OperandSource, data: PhraseData | null): boolean {
  switch (node.kind) {
    case 'val': {
      if (!source.has(node.item)) return false;
      if (data) data.pos = source.positions(node.item) as number[];
      return true;
    }
    case 'not': {
      // data is never null here: a phrase operator passes its own down.
      const into = data ?? newData();
      if (!executePhrase(node.arg, source, into)) {
        into.negate = true;
        return true;
      }
      if (into.pos.length > 0) {
        into.negate = !into.negate;
        return true;
      }
      into.negate = false;
      return false;
    }
    case 'phrase':
    case 'and': {
      const left = newData();
      const right = newData();
      if (!executePhrase(node.left, source, left)) return false;
      if (!executePhrase(node.right, source, right)) return false;
      let leftOffset: number;
      let rightOffset: number;
      if (node.kind === 'phrase') {
        leftOffset = node.distance + right.width;
        rightOffset = 0;
        if (data) data.width = node.distance + left.width + right.width;
      } else {
        const width = Math.max(left.width, right.width);
        leftOffset = width - left.width;
        rightOffset = width - right.width;
        if (data) data.width = width;
      }
      if (left.negate && right.negate) {
        emit(data, left, right, EMIT_BOTH | EMIT_L_ONLY | EMIT_R_ONLY, leftOffset, rightOffset);
        if (data) data.negate = true;
        return true;
      }
      if (left.negate) return emit(data, left, right, EMIT_R_ONLY, leftOffset, rightOffset);
      if (right.negate) return emit(data, left, right, EMIT_L_ONLY, leftOffset, rightOffset);
      return emit(data, left, right, EMIT_BOTH, leftOffset, rightOffset);
    }
    case 'or': {
      const into = data ?? newData();
      const left = newData();
      const right = newData();
      const leftMatch = executePhrase(node.left, source, left);
      const rightMatch = executePhrase(node.right, source, right);
      if (!leftMatch && !rightMatch) return false;
      if (!leftMatch) Object.assign(left, newData());
      if (!rightMatch) Object.assign(right, newData());
      const width = Math.max(left.width, right.width);
      const leftOffset = width - left.width;
      const rightOffset = width - right.width;
      into.width = width;
      if (left.negate && right.negate) {
        emit(into, left, right, EMIT_BOTH, leftOffset, rightOffset);
        into.negate = true;
        return true;
      }
      if (left.negate) {
        emit(into, left, right, EMIT_L_ONLY, leftOffset, rightOffset);
        into.negate = true;
        return true;
      }
      if (right.negate) {
        emit(into, left, right, EMIT_R_ONLY, leftOffset, rightOffset);
        into.negate = true;
        return true;
      }
      return emit(into, left, right, EMIT_BOTH | EMIT_L_ONLY | EMIT_R_ONLY, leftOffset, rightOffset);
    }
  }
}

/**
 * Merges two sorted position lists, shifted by their offsets, keeping those
 * `mode` asks for (in left only, in right only, in both). Without `data`, only
 * whether something would be kept.
 */
function emit(data: PhraseData | null, left: PhraseData, right: PhraseData, mode: number, leftOffset: number, rightOffset: number): boolean {
  let i = 0;
  let j = 0;
  const out: number[] = [];
  while (i < left.pos.length || j < right.pos.length) {
    let l: number;
    let r: number;
    if (i < left.pos.length) l = (left.pos[i] as number) + leftOffset;
    else {
      if (!(mode & EMIT_R_ONLY)) break;
      l = Number.MAX_SAFE_INTEGER;
    }
    if (j < right.pos.length) r = (right.pos[j] as number) + rightOffset;
    else {
      if (!(mode & EMIT_L_ONLY)) break;
      r = Number.MAX_SAFE_INTEGER;
    }
    let kept = 0;
    if (l < r) {
      if (mode & EMIT_L_ONLY) kept = l;
      i++;
    } else if (l === r) {
      if (mode & EMIT_BOTH) kept = r;
      i++;
      j++;
    } else {
      if (mode & EMIT_R_ONLY) kept = r;
      j++;
    }
    if (kept > 0) {
      if (!data) return true;
      out.push(kept);
    }
  }
  if (data) data.pos = out;
  return out.length > 0;
}
