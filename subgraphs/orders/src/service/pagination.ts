/**
 * Keyset pagination for the orders connections, on top of the kit's opaque
 * cursors. Orders are listed newest first by id (uuid v7 ids are
 * time-ordered), so a cursor is the id. A cursor that does not decode to that
 * shape is INVALID_CURSOR, never a database error.
 */
import { AppError, ErrorCode } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, MAX_PAGE_SIZE, toConnection, type Connection } from '@commerce/subgraph-kit';
import { isUuid } from '../data/ids.js';

export type { Connection };

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** The page size to return (default 20, at most 100); the reads fetch one row more to learn `hasNextPage`. */
export const pageSize = (first: number | null | undefined): number => clampFirst(first, MAX_PAGE_SIZE);

export function decodeIdCursor(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  const [id, ...rest] = decodeCursor(after);
  if (typeof id !== 'string' || rest.length > 0 || !isUuid(id)) {
    throw new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');
  }
  return id;
}

/** A connection whose `totalCount` is counted only if the client selects it (OrderConnection.totalCount). */
export type CountedConnection<T> = Connection<T> & { countTotal: () => Promise<number> };

/**
 * `rows` holds up to `first + 1` rows; the extra one only says there is a next page.
 * `countTotal` counts the whole list (called only when `totalCount` is selected).
 */
export function idConnection<T extends { id: string }>(rows: readonly T[], first: number, countTotal: () => Promise<number>): CountedConnection<T> {
  return { ...toConnection(rows, first, (row) => encodeCursor([row.id])), countTotal };
}
