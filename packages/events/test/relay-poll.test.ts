/**
 * The relay's poll must stay cheap however many rows were published since
 * the last VACUUM: it reads the partial index of unpublished rows in order
 * (an index scan marks dead entries as it passes them), never a bitmap scan
 * that revisits every published row. Runs in a schema of its own, so the
 * other tests' truncations of the scratch database do not touch it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_TABLES_DDL } from '../src/index.js';
import { RELAY_SESSION_OPTIONS, UNPUBLISHED_BATCH_SQL } from '../src/relay.js';
import { prepareDatabase, testDatabaseUrl } from './helpers.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

const schema = `relay_poll_${randomUUID().slice(0, 8)}`;
let db: pg.Client;

beforeAll(async () => {
  await prepareDatabase();
  db = new pg.Client({ connectionString: testDatabaseUrl(), options: `${RELAY_SESSION_OPTIONS} -c search_path=${schema}` });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(OUTBOX_TABLES_DDL);
});

afterAll(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db?.end();
});

describe('outbox relay poll', () => {
  it('reads the unpublished rows through the partial index, in position order, after many were published', async () => {
    const append = (count: number): Promise<pg.QueryResult> =>
      db.query(
        `INSERT INTO outbox_events (event_id, topic, event_type, aggregate_id, envelope)
         SELECT gen_random_uuid(), 'commerce.test', 'test.happened', 'a-' || n, '{}'::jsonb FROM generate_series(1, $1::int) AS n`,
        [count],
      );
    // Statistics taken during a backlog, as autovacuum leaves them under load.
    // (Whether PostgreSQL would pick a bitmap scan without the relay's session
    // settings depends on row width and physical order; in bench:checkout it
    // did. This checks what the relay gets: the partial index, in order.)
    await append(3_000);
    await db.query('ANALYZE outbox_events');
    await db.query('UPDATE outbox_events SET published_at = now() WHERE published_at IS NULL');
    await append(3);

    const explain = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${UNPUBLISHED_BATCH_SQL}`, [100]);
    const nodes = flatten(explain.rows[0]!['QUERY PLAN'][0].Plan);
    const types = nodes.map((node) => node['Node Type']);
    expect(types).not.toContain('Bitmap Heap Scan');
    expect(types).not.toContain('Seq Scan');
    expect(types).not.toContain('Sort');
    const scan = nodes.find((node) => node['Node Type'] === 'Index Scan');
    expect(scan?.['Index Name']).toBe('outbox_events_unpublished_idx');

    const batch = await db.query<{ position: string; aggregate_id: string }>(UNPUBLISHED_BATCH_SQL, [100]);
    expect(batch.rows.map((row) => row.aggregate_id)).toEqual(['a-1', 'a-2', 'a-3']);
    const positions = batch.rows.map((row) => BigInt(row.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });
});
