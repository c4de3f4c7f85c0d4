/**
 * Keyset pagination for the catalog's connections, on top of the kit's
 * opaque cursors. Products and reviews are ordered newest first by id (uuid
 * v7 ids are time-ordered), so their cursor is the id; categories are ordered
 * by (position, id), so theirs carries both; the whole tree in tree order
 * (`categories(scope: ALL)`) by a key of (position, id) per level from the
 * root, which is its cursor's bytes. A cursor that does not decode to that
 * shape is INVALID_CURSOR, never a database error.
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
import { MAX_CATEGORY_DEPTH, TREE_KEY_BYTES_PER_LEVEL, type PositionCursor } from '../data/reads.js';

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

/**
 * A place in tree order: the key's bytes as base64url, not the kit's JSON,
 * so that a cursor 32 levels deep still fits the kit's cursor length. It
 * names a place in the order, not a row: the walk goes on after it even if
 * that category has moved since.
 */
export const encodeTreeCursor = (treeKey: Buffer): string => treeKey.toString('base64url');

export function decodeTreeCursor(after: string | null | undefined): Buffer | null {
  if (after === null || after === undefined) return null;
  const maxBytes = MAX_CATEGORY_DEPTH * TREE_KEY_BYTES_PER_LEVEL;
  if (!/^[A-Za-z0-9_-]+$/.test(after) || after.length > Math.ceil((maxBytes * 4) / 3)) throw invalidCursor();
  const key = Buffer.from(after, 'base64url');
  if (key.length === 0 || key.length % TREE_KEY_BYTES_PER_LEVEL !== 0 || key.toString('base64url') !== after) throw invalidCursor();
  return key;
}

/** An edge whose cursor is encoded only if a client reads it (listings rarely do, for every row). */
class IdEdge<T extends { id: string }> {
  constructor(readonly node: T) {}
  get cursor(): string {
    return encodeIdCursor(this.node.id);
  }
}

/** Page info whose cursors are encoded only when read. */
class IdPageInfo<T extends { id: string }> {
  readonly hasPreviousPage = false;
  constructor(
    readonly hasNextPage: boolean,
    private readonly first: T | undefined,
    private readonly last: T | undefined,
  ) {}
  get startCursor(): string | null {
    return this.first ? encodeIdCursor(this.first.id) : null;
  }
  get endCursor(): string | null {
    return this.last ? encodeIdCursor(this.last.id) : null;
  }
}

/**
 * `rows` holds up to `first + 1` rows; the extra one only says there is a
 * next page. The same connection as the kit's toConnection, with cursors
 * computed lazily.
 */
export function idConnection<T extends { id: string }>(rows: readonly T[], first: number): Connection<T> {
  const count = Math.min(rows.length, Math.max(0, first));
  const edges: IdEdge<T>[] = new Array(count);
  for (let index = 0; index < count; index++) edges[index] = new IdEdge(rows[index] as T);
  return { edges, pageInfo: new IdPageInfo(rows.length > first, edges[0]?.node, edges[count - 1]?.node) };
}

export function positionConnection<T extends PositionCursor>(rows: readonly T[], first: number): Connection<T> {
  return toConnection(rows, first, (row) => encodePositionCursor(row));
}
