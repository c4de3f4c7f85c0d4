/**
 * What the in-process replica reads (src/replica/): a full load, then only
 * what changed. Sent straight through pg (no Prisma): the change check runs
 * once per search, and Prisma's query pipeline would cost more CPU than the
 * search it guards.
 *
 * Change feed (migration *_replica_change_feed): statement-level triggers
 * log every document or category written or deleted in search_changes,
 * stamped with the writing transaction's id (xid8), and every TRUNCATE. A
 * reader remembers the snapshot's xmin (every transaction below it has
 * ended) and next time reads the log at or above it: a transaction that
 * commits late is still caught, and entries read twice are applied twice,
 * harmlessly (the current row is read again).
 */
import type pg from 'pg';
import type { ReplicaCategoryRow, ReplicaProductRow } from '../replica/store.js';

/** Rows per statement of a load or catch-up. */
export const LOAD_BATCH = 5_000;

export type Queryable = Pick<pg.Pool, 'query'>;

const PRODUCT_COLUMNS = `
  p.id::text AS id, p.slug, p.name, p.status = 'ACTIVE' AS active,
  coalesce(p.category_ids::text, '{}') AS "categoryIds", coalesce(p.option_values::text, '{}') AS "optionValues", p.price_min_usd AS "priceMinUsd", p.price_min_eur AS "priceMinEur",
  p.in_stock AS "inStock", (extract(epoch FROM p.created_at) * 1000)::float8 AS "createdAt",
  p.rating_average AS "ratingAverage", p.rating_count AS "ratingCount", coalesce(p.search_vector::text, '') AS vector`;


/** Every transaction below the returned id has ended: a later read from it misses nothing. */
export async function snapshotXmin(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ xmin: string }>({
    name: 'replica_xmin',
    text: 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
  });
  return (rows[0] as { xmin: string }).xmin;
}

/** ACTIVE documents with ids above `afterId`, by id. */
export async function loadProducts(db: Queryable, afterId: string): Promise<ReplicaProductRow[]> {
  const { rows } = await db.query<ReplicaProductRow>({
    name: 'replica_load_products',
    text: `SELECT ${PRODUCT_COLUMNS} FROM search_products p
            WHERE p.status = 'ACTIVE' AND p.id > $1::uuid ORDER BY p.id LIMIT ${LOAD_BATCH}`,
    values: [afterId],
  });
  return rows;
}

const CATEGORY_COLUMNS = `id::text AS id, slug, name, parent_id::text AS "parentId", depth`;

export async function loadCategories(db: Queryable): Promise<ReplicaCategoryRow[]> {
  const { rows } = await db.query<ReplicaCategoryRow>({
    name: 'replica_load_categories',
    text: `SELECT ${CATEGORY_COLUMNS} FROM search_categories`,
  });
  return rows;
}

export interface ChangeCheck {
  /** The next watermark. */
  xmin: string;
  /** Something was logged at or after the watermark asked about. */
  changed: boolean;
}

/**
 * Whether anything changed at or after `since`, with the next watermark: one
 * backward probe of the txid index for the newest entry. (`EXISTS … WHERE
 * change_txid >= $1` reads the same, but as a prepared statement PostgreSQL
 * soon switches to a generic plan that cannot see the parameter and scans
 * the whole log when nothing changed: 5 ms on a 100k-row log, every search.)
 */
export async function checkChanges(db: Queryable, since: string): Promise<ChangeCheck> {
  const { rows } = await db.query<ChangeCheck>({
    name: 'replica_check',
    text: `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
                  coalesce((SELECT change_txid >= $1::xid8 FROM search_changes ORDER BY change_txid DESC LIMIT 1), false) AS changed`,
    values: [since],
  });
  return rows[0] as ChangeCheck;
}

export interface LoggedChanges {
  products: string[];
  categories: string[];
  truncated: boolean;
}

/** What the log holds at or after `since`, each id once. */
export async function loggedChanges(db: Queryable, since: string): Promise<LoggedChanges> {
  const { rows } = await db.query<{ kind: string; id: string | null }>({
    name: 'replica_changes',
    text: `SELECT DISTINCT kind, entity_id::text AS id FROM search_changes WHERE change_txid >= $1::xid8`,
    values: [since],
  });
  const changes: LoggedChanges = { products: [], categories: [], truncated: false };
  for (const row of rows) {
    if (row.kind === 'truncate') changes.truncated = true;
    else if (row.kind === 'product' && row.id) changes.products.push(row.id);
    else if (row.kind === 'category' && row.id) changes.categories.push(row.id);
  }
  return changes;
}

/** The current rows of these documents, any status (an id without a row was deleted). */
export async function productsById(db: Queryable, ids: readonly string[]): Promise<ReplicaProductRow[]> {
  const { rows } = await db.query<ReplicaProductRow>({
    name: 'replica_products_by_id',
    text: `SELECT ${PRODUCT_COLUMNS} FROM search_products p WHERE p.id = ANY ($1::uuid[])`,
    values: [ids],
  });
  return rows;
}

export async function categoriesById(db: Queryable, ids: readonly string[]): Promise<ReplicaCategoryRow[]> {
  const { rows } = await db.query<ReplicaCategoryRow>({
    name: 'replica_categories_by_id',
    text: `SELECT ${CATEGORY_COLUMNS} FROM search_categories WHERE id = ANY ($1::uuid[])`,
    values: [ids],
  });
  return rows;
}

/** websearch_to_tsquery('english', text) as PostgreSQL prints it ('' when only stop words). */
export async function parseWebSearch(db: Queryable, text: string): Promise<string> {
  const { rows } = await db.query<{ q: string }>({
    name: 'replica_websearch',
    text: `SELECT websearch_to_tsquery('english'::regconfig, $1)::text AS q`,
    values: [text],
  });
  return (rows[0] as { q: string }).q;
}
