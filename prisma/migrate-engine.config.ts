/**
 * Prisma 6.19 CLI configuration for diffing only (check-drift, new), passed
 * explicitly with --config by src/engine.ts. It selects the WebAssembly schema
 * engine (`engine: "js"`), which talks to PostgreSQL through a driver adapter
 * instead of the native schema-engine binary Prisma cannot download offline.
 *
 * Deliberately not named prisma.config.ts: neither Prisma 6 nor the Prisma 7
 * CLI used by `generate` should pick it up implicitly.
 * COMMERCE_MIGRATOR_URL is set by src/engine.ts: the database to work on
 * (for diffs, the server's maintenance database); shadow databases are
 * created on the same server.
 */
import { defineConfig } from 'prisma/config';
import { createMigrationAdapterFactory } from './src/adapter.ts';

const migrationsPath = process.env.COMMERCE_MIGRATOR_MIGRATIONS_DIR;

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  // Only read by migrate status/deploy; migrate diff takes folders as arguments.
  ...(migrationsPath ? { migrations: { path: migrationsPath } } : {}),
  adapter: async () => {
    const url = process.env.COMMERCE_MIGRATOR_URL;
    if (!url) throw new Error('COMMERCE_MIGRATOR_URL is not set; run Prisma 6 through prisma/src/engine.ts');
    return createMigrationAdapterFactory(url);
  },
});
