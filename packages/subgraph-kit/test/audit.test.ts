/**
 * The shared audit log against real PostgreSQL: a scratch database holding
 * one `audit_entries` table as the domains' migrations create it, reached
 * through a pg-backed executor (what the module asks of a Prisma client or
 * transaction: `$queryRawUnsafe` with positional values).
 */
import { postgresServerUrl } from '@commerce/config';
import { AppError } from '@commerce/errors';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  recordAudit,
  type AuditLogArgs,
  type AuditLogOptions,
  type RawQueryExecutor,
} from '../src/index.js';

/** Overridable so two runs never share the scratch database. */
const TEST_DB = process.env.SUBGRAPH_KIT_TEST_DB ?? 'ecommerce_subgraph_kit_test';

// As prisma/<domain>/migrations create it (users, catalog, inventory: the (at, id) index).
const AUDIT_TABLE_DDL = `CREATE TABLE IF NOT EXISTS audit_entries (
    id UUID NOT NULL PRIMARY KEY,
    actor_id UUID NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    changes JSONB NOT NULL,
    at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
  );
  CREATE INDEX IF NOT EXISTS audit_entries_at_id_idx ON audit_entries (at DESC, id DESC)`;

const executorOf = (client: pg.Pool | pg.PoolClient): RawQueryExecutor => ({
  $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await client.query(query, values)).rows as T,
});

let pool: pg.Pool;
let db: RawQueryExecutor;

/** Runs `fn` in one transaction, as a subgraph's `prisma.$transaction` does. */
async function inTransaction(fn: (tx: RawQueryExecutor) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(executorOf(client));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const ADMIN = '0193a1b2-0000-7000-8000-000000000001';
const OTHER_ADMIN = '0193a1b2-0000-7000-8000-000000000002';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  const server = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await server.connect();
  try {
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DB]);
    if (exists.rowCount === 0) {
      await server.query(`CREATE DATABASE ${TEST_DB}`).catch((error: unknown) => {
        if (!/already exists/.test(String(error))) throw error;
      });
    }
  } finally {
    await server.end();
  }
  pool = new pg.Pool({ connectionString: `${postgresServerUrl()}/${TEST_DB}`, max: 3 });
  await pool.query(AUDIT_TABLE_DDL);
  db = executorOf(pool);
});

afterAll(async () => {
  await pool?.end();
});

beforeEach(async () => {
  await pool.query('TRUNCATE audit_entries');
});

const errorOf = async (promise: Promise<unknown>): Promise<AppError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an error');
};

const actions = async (args: AuditLogArgs, options?: AuditLogOptions): Promise<string[]> =>
  (await listAuditEntries(db, args, options)).edges.map((edge) => edge.node.action);

describe('recordAudit', () => {
  it('writes one entry per target with the caller’s transaction, and none when that transaction rolls back', async () => {
    await inTransaction((tx) =>
      recordAudit(tx, ADMIN, 'applyBulkPriceChange', [
        { targetType: 'Product', targetId: 'p-1', changes: { price: { before: 100, after: 90 } } },
        { targetType: 'Product', targetId: 'p-2', changes: { price: { before: 200, after: 180 }, note: null } },
      ]),
    );
    await expect(
      inTransaction(async (tx) => {
        await recordAudit(tx, ADMIN, 'updateProduct', { targetType: 'Product', targetId: 'p-3', changes: { name: 'x' } });
        throw new Error('the change fails after its entry was written');
      }),
    ).rejects.toThrow('the change fails');

    const { rows } = await pool.query<{ id: string; actor_id: string; action: string; target_id: string; changes: unknown; at: Date }>(
      'SELECT id::text, actor_id::text, action, target_id, changes, at FROM audit_entries ORDER BY target_id',
    );
    expect(rows.map((row) => [row.action, row.target_id, row.changes])).toEqual([
      ['applyBulkPriceChange', 'p-1', { price: { before: 100, after: 90 } }],
      ['applyBulkPriceChange', 'p-2', { price: { before: 200, after: 180 }, note: null }],
    ]);
    expect(rows.every((row) => row.actor_id === ADMIN)).toBe(true);
    // One instant for the whole change; ids are uuid v7 of that instant, one each.
    expect(rows[0]?.at.getTime()).toBe(rows[1]?.at.getTime());
    expect(new Set(rows.map((row) => row.id)).size).toBe(2);
    for (const row of rows) {
      expect(row.id[14]).toBe('7');
      expect(Number.parseInt(row.id.replaceAll('-', '').slice(0, 12), 16)).toBe(row.at.getTime());
    }
  });

  it('writes nothing for no targets', async () => {
    await inTransaction((tx) => recordAudit(tx, ADMIN, 'applyBulkPriceChange', []));
    expect((await pool.query('SELECT 1 FROM audit_entries')).rowCount).toBe(0);
  });
});

describe('listAuditEntries', () => {
  /** Five entries, oldest first, a few ms apart; `middle` is an instant between the second and the third. */
  async function fiveEntries(): Promise<{ middle: Date }> {
    await recordAudit(db, ADMIN, 'createProduct', { targetType: 'Product', targetId: 'p-1', changes: { after: { name: 'Mug' } } });
    await pause(3);
    await recordAudit(db, OTHER_ADMIN, 'createCategory', { targetType: 'Category', targetId: 'c-1', changes: { after: { name: 'Kitchen' } } });
    await pause(3);
    const middle = new Date();
    await pause(3);
    await recordAudit(db, ADMIN, 'updateProduct', { targetType: 'Product', targetId: 'p-1', changes: { name: { before: 'Mug', after: 'Cup' } } });
    await pause(3);
    await recordAudit(db, ADMIN, 'publishProduct', { targetType: 'Product', targetId: 'p-1', changes: { status: { before: 'DRAFT', after: 'ACTIVE' } } });
    await pause(3);
    await recordAudit(db, OTHER_ADMIN, 'updateCategory', { targetType: 'Category', targetId: 'c-1', changes: { name: { before: 'Kitchen', after: 'Home' } } });
    return { middle };
  }

  it('lists newest first, pages by cursor without gaps or repeats, and counts every match only when asked', async () => {
    await fiveEntries();
    const first = await listAuditEntries(db, { first: 2 });
    expect(first.edges.map((edge) => edge.node.action)).toEqual(['updateCategory', 'publishProduct']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]?.cursor, endCursor: first.edges[1]?.cursor });
    const second = await listAuditEntries(db, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((edge) => edge.node.action)).toEqual(['updateProduct', 'createCategory']);
    const last = await listAuditEntries(db, { first: 2, after: second.pageInfo.endCursor });
    expect(last.edges.map((edge) => edge.node.action)).toEqual(['createProduct']);
    expect(last.pageInfo.hasNextPage).toBe(false);
    expect(await auditConnectionResolvers.totalCount(first)).toBe(5);

    const [node] = last.edges.map((edge) => edge.node);
    expect(node).toMatchObject({ actorId: ADMIN, action: 'createProduct', targetType: 'Product', targetId: 'p-1', changes: { after: { name: 'Mug' } } });
    expect(node?.at).toBeInstanceOf(Date);
  });

  it('applies every filter given, all at once', async () => {
    const { middle } = await fiveEntries();
    expect(await actions({ filter: { targetType: 'Category' } })).toEqual(['updateCategory', 'createCategory']);
    expect(await actions({ filter: { targetId: 'p-1', action: 'updateProduct' } })).toEqual(['updateProduct']);
    expect(await actions({ filter: { actorId: OTHER_ADMIN.toUpperCase() } })).toEqual(['updateCategory', 'createCategory']);
    expect(await actions({ filter: { since: middle } })).toEqual(['updateCategory', 'publishProduct', 'updateProduct']);
    expect(await actions({ filter: { until: middle } })).toEqual(['createCategory', 'createProduct']);
    expect(await actions({ filter: { targetType: 'Product', actorId: ADMIN, since: middle } })).toEqual(['publishProduct', 'updateProduct']);
    const filtered = await listAuditEntries(db, { first: 1, filter: { targetType: 'Product' } });
    expect(await filtered.countTotal()).toBe(3);
    expect(await actions({ filter: { action: 'deleteProduct' } })).toEqual([]);
  });

  it('refuses a malformed cursor and, by default, an actorId that is no user id; as options: matches nothing, or refuses an empty period', async () => {
    await fiveEntries();
    expect((await errorOf(listAuditEntries(db, { after: 'not-a-cursor' }))).extensions).toMatchObject({ code: 'INVALID_CURSOR' });
    const wrongShape = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    expect((await errorOf(listAuditEntries(db, { after: wrongShape }))).extensions).toMatchObject({ code: 'INVALID_CURSOR' });

    expect((await errorOf(listAuditEntries(db, { filter: { actorId: 'nope' } }))).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.actorId' });
    const nothing = await listAuditEntries(db, { filter: { actorId: 'nope' } }, { malformedActorId: 'match-nothing' });
    expect(nothing.edges).toEqual([]);
    expect(nothing.pageInfo.hasNextPage).toBe(false);
    expect(await nothing.countTotal()).toBe(0);

    const period = { since: new Date(), until: new Date(Date.now() - 60_000) };
    expect(await actions({ filter: period })).toEqual([]);
    expect((await errorOf(listAuditEntries(db, { filter: period }, { rejectEmptyPeriod: true }))).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.until',
    });
  });
});

describe('auditEntryResolvers', () => {
  it('gives the domain, the actor as a User reference and the changes as JSON text', async () => {
    await recordAudit(db, ADMIN, 'adjustStock', { targetType: 'StockLevel', targetId: 'v-1', changes: { onHand: { before: 3, after: 5 } } });
    const [entry] = (await listAuditEntries(db, {})).edges.map((edge) => edge.node);
    if (!entry) throw new Error('the entry was not listed');
    const fields = auditEntryResolvers('inventory');
    expect(fields.domain()).toBe('inventory');
    expect(fields.actor(entry)).toEqual({ __typename: 'User', id: ADMIN });
    expect(JSON.parse(fields.changes(entry))).toEqual({ onHand: { before: 3, after: 5 } });
  });
});
