import pg from 'pg';

/**
 * Empties every table of a test database except Prisma's migration history
 * and the reference tables named in `keep` (rows the migrations seed, such as
 * warehouses), so a test starts from the same state whatever earlier runs left.
 */
export async function resetDatabase(connectionString: string, keep: readonly string[] = []): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' AND NOT (tablename = ANY($1))`,
      [keep],
    );
    if (rows.length === 0) return;
    const truncate = `TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`;
    // A service still shutting down may hold row locks for a moment: retry a deadlock.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(truncate);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  } finally {
    await client.end();
  }
}
