/**
 * Keyset pagination for the catalog's connections, on top of the kit's
 * opaque cursors. Products and reviews are ordered newest first by id (uuid
 * v7 ids are time-ordered), so their cursor is the id; categories are ordered
 * by (position, id), so theirs carries both. A cursor that does not decode to
 * that shape is INVALID_CURSOR, never a database error.
 */
import {
  MAX_PAGE_SIZE,
  clampFirst,
  decodeCursor,
  encodeCursor,
  toConnection,
  type Connection,
} from '@commerce/subgraph-kit';
import { AppError, ErrorCode } from '@commerce/errors';
import { isUuid } from '../data/ids.js';
import type { PositionCursor } from '../data/reads.js';

export type { Connection };

/** No page is larger than MAX_PAGE_SIZE (100), whatever `first` asks for. */

const invalidCursor = (): AppError => new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');

/** The page size to return; the loaders fetch one row more to learn `hasNextPage`. */
export const pageSize = (first: number | null | undefined, fallback: number): number =>
  clampFirst(first ?? fallback, MAX_PAGE_SIZE);

export const encodeIdCursor = (id: string): string => encodeCursor([id]);

export function decodeIdCursor(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  const [id, ...rest] = decodeCursor(after);
  if (typeof id !== 'string' || rest.length > 0 || !isUuid(id)) throw invalidCursor();
  return id;
}

export const encodePositionCursor = (row: PositionCursor): string => encodeCursor([row.position, row.id]);

export function decodePositionCursor(after: string | null | undefined): PositionCursor | null {
  if (after === null || after === undefined) return null;
  const [position, id, ...rest] = decodeCursor(after);
  if (!Number.isSafeInteger(position) || typeof position !== 'number' || typeof id !== 'string' || !isUuid(id) || rest.length > 0) {
    throw invalidCursor();
  }
  return { position, id };
}

/** `rows` holds up to `first + 1` rows; the extra one only says there is a next page. */
export function idConnection<T extends { id: string }>(rows: readonly T[], first: number): Connection<T> {
  return toConnection(rows, first, (row) => encodeIdCursor(row.id));
}

export function positionConnection<T extends PositionCursor>(rows: readonly T[], first: number): Connection<T> {
  return toConnection(rows, first, (row) => encodePositionCursor(row));
}
