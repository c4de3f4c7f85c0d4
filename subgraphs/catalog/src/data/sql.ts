/**
 * The read path's SQL client: statements sent straight through the pg pool
 * that Prisma's driver adapter also uses. Storefront reads go here, not
 * through Prisma: a listing page over Prisma's query pipeline cost about 3 ms
 * of CPU, the same statements over pg about 0.7 ms. Writes and their
 * transactions stay on Prisma.
 */
import type pg from 'pg';

export interface CatalogSql {
  /**
   * The rows of one statement, its columns aliased to the row type's field
   * names. The text must be a constant (values go in `values`): each text is
   * prepared once per connection.
   */
  rows<T>(sql: string, values: readonly unknown[]): Promise<T[]>;
}

export interface CatalogSqlOptions {
  /**
   * The prepared-statement names the pool's connections already use (Prisma's
   * adapter shares them): a name must mean one text on every connection.
   * Without a generator (DATABASE_PREPARED_STATEMENTS=false) nothing is prepared.
   */
  statementNameGenerator?: (query: { sql: string }) => string;
  /** Called with every statement sent; tests count them. */
  onQuery?: (sql: string) => void;
}

export function createCatalogSql(pool: pg.Pool, options: CatalogSqlOptions = {}): CatalogSql {
  const { statementNameGenerator: nameOf, onQuery } = options;
  const names = new Map<string, string | undefined>();
  const nameOfText = (text: string): string | undefined => {
    if (names.has(text)) return names.get(text);
    const name = nameOf?.({ sql: text }) || undefined;
    names.set(text, name);
    return name;
  };
  return {
    async rows<T>(sql: string, values: readonly unknown[]): Promise<T[]> {
      onQuery?.(sql);
      const name = nameOfText(sql);
      const config = name ? { name, text: sql, values: values as unknown[] } : { text: sql, values: values as unknown[] };
      return (await pool.query<T & pg.QueryResultRow>(config)).rows;
    },
  };
}
