import { Prisma, type CatalogTx } from '../data/prisma.js';

/** One column of a bulk insert: its name, PostgreSQL type and one value per row. */
export interface BulkColumn {
  name: string;
  /** e.g. 'uuid', 'text', 'int4', 'timestamptz', '"ProductStatus"'. */
  type: string;
  values: readonly (string | number | null)[];
}

/**
 * `INSERT INTO table (...) SELECT * FROM unnest($1::type[], ...) ON CONFLICT
 * DO NOTHING`: one statement and one parameter per column, whatever the row
 * count. Prisma's createMany sends one parameter per cell and spends seconds
 * building the statement for a few thousand rows; this takes milliseconds.
 * Identifiers come from our own code, never from input.
 * Returns the number of rows inserted (conflicts are skipped).
 */
export async function bulkInsert(tx: CatalogTx, table: string, columns: readonly BulkColumn[]): Promise<number> {
  const rowCount = columns[0]?.values.length ?? 0;
  if (rowCount === 0) return 0;
  for (const column of columns) {
    if (column.values.length !== rowCount) throw new Error(`bulkInsert ${table}.${column.name}: ${column.values.length} values, expected ${rowCount}`);
  }
  const names = Prisma.raw(columns.map((c) => `"${c.name}"`).join(', '));
  const arrays = Prisma.join(columns.map((c) => Prisma.sql`${c.values}::${Prisma.raw(c.type)}[]`));
  return tx.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}"`)} (${names}) SELECT * FROM unnest(${arrays}) ON CONFLICT DO NOTHING`;
}
