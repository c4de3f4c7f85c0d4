/**
 * Prisma's statements run as named prepared statements (prismaPgOptions in
 * @commerce/config): parsed once per connection, then executed by name. One
 * connection, so the session seen through pg_prepared_statements is the
 * one that ran the queries.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl, prismaPgOptions } from '@commerce/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersPrisma, type OrdersPrisma } from '../src/data/prisma.js';

let db: OrdersPrisma;

beforeAll(() => {
  db = createOrdersPrisma({ databaseUrl: databaseUrl('orders', 'test'), maxConnections: 1 });
});

afterAll(async () => {
  await db?.$disconnect();
});

interface Prepared {
  name: string;
  statement: string;
}

const prepared = (): Promise<Prepared[]> =>
  db.$queryRaw<Prepared[]>`SELECT name, statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY name`;

describe('prepared statements', () => {
  it('parses a statement once per connection and runs it by name afterwards', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) expect(await db.order.findUnique({ where: { id } })).toBeNull();

    const lookups = (await prepared()).filter((row) => row.statement.includes('"public"."orders"') && row.statement.includes('WHERE'));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.name).toMatch(/^prisma_/);
    // The listing query itself is named too: asking twice prepares nothing new.
    const before = (await prepared()).length;
    expect((await prepared()).length).toBe(before);
  });

  it('gives each SQL text one stable name, and none when turned off', () => {
    const { statementNameGenerator } = prismaPgOptions();
    expect(statementNameGenerator).toBeDefined();
    const first = statementNameGenerator!({ sql: 'SELECT 1' });
    expect(statementNameGenerator!({ sql: 'SELECT 1' })).toBe(first);
    expect(statementNameGenerator!({ sql: 'SELECT 2' })).not.toBe(first);

    const saved = process.env.DATABASE_PREPARED_STATEMENTS;
    process.env.DATABASE_PREPARED_STATEMENTS = 'false';
    try {
      expect(prismaPgOptions()).toEqual({});
    } finally {
      if (saved === undefined) delete process.env.DATABASE_PREPARED_STATEMENTS;
      else process.env.DATABASE_PREPARED_STATEMENTS = saved;
    }
  });

  it('stops naming new statements past its bound, so varying SQL cannot fill the server', () => {
    const { statementNameGenerator } = prismaPgOptions();
    const names = Array.from({ length: 1_001 }, (_, i) => statementNameGenerator!({ sql: `SELECT ${i}` }));
    expect(new Set(names.slice(0, 1_000)).size).toBe(1_000);
    expect(names[1_000]).toBe('');
    // Statements named before the bound keep their names.
    expect(statementNameGenerator!({ sql: 'SELECT 0' })).toBe(names[0]);
  });
});
