import { AppError, badInput, ErrorCode } from '@commerce/errors';
import { isUuid } from './ids.js';

/**
 * Relay-style connections over keyset pagination. A cursor is the sort key of a
 * row (e.g. `[createdAt, id]`) as base64url JSON: opaque to clients, cheap to
 * decode, and stable while rows are inserted (unlike offsets).
 */

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
// Real cursors are a handful of keys; a huge one is an attack on the JSON parser.
const MAX_CURSOR_LENGTH = 1024;

export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid.');

/** Inverse of `encodeCursor`; INVALID_CURSOR for anything that is not one of ours. */
export function decodeCursor(cursor: string): unknown[] {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length === 0) throw invalidCursor();
  return decoded;
}

/** Keyset position in a list ordered by (timestamp, uuid), e.g. newest first by (at, id). */
export interface TimeIdCursor {
  at: Date;
  id: string;
}

export const encodeTimeIdCursor = (at: Date, id: string): string => encodeCursor([at.toISOString(), id]);

/** Inverse of `encodeTimeIdCursor`: null for no cursor, INVALID_CURSOR for anything of another shape. */
export function decodeTimeIdCursor(after: string | null | undefined): TimeIdCursor | null {
  if (after === null || after === undefined) return null;
  const [at, id, ...rest] = decodeCursor(after);
  const date = typeof at === 'string' ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id) || rest.length > 0) {
    throw new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');
  }
  return { at: date, id };
}

/** Page size to fetch: `first` (default 20) capped at `max`; negative is BAD_USER_INPUT. */
export function clampFirst(first: number | null | undefined, max: number = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0) throw badInput('"first" must be a non-negative integer.', 'first');
  return Math.min(first, max);
}

/**
 * Builds a connection from `first + 1` rows fetched in order: the extra row only
 * tells that a next page exists and is not returned. Forward-only pagination,
 * so `hasPreviousPage` is always false.
 */
export function toConnection<T>(rows: readonly T[], first: number, cursorOf: (row: T) => string): Connection<T> {
  const page = rows.slice(0, Math.max(0, first));
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
