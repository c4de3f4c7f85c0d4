/**
 * The migrator against the real PostgreSQL server: applier, Prisma
 * compatibility, drift detection and authoring. Every database used here is a
 * scratch database (ecommerce_migrator_scratch_*) dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresServerUrl } from '@commerce/config';
import {
  checkDriftAll,
  checkDriftFor,
  createMigration,
  domainsWithSchema,
  MigrationApplyError,
  MigrationChecksumMismatchError,
  migrateDatabase,
  migrationsDir,
  readMigrations,
  schemaPath,
} from '../src/index.ts';
import { prismaMigrateStatus } from '../src/engine.ts';

const scratchDatabases: string[] = [];
const tempDirs: string[] = [];
const quiet = { log: (): void => undefined };

/** A not-yet-created scratch database (the applier creates it). */
function scratchUrl(): string {
  const name = `ecommerce_migrator_scratch_${randomBytes(5).toString('hex')}`;
  scratchDatabases.push(name);
  return `${postgresServerUrl()}/${name}`;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'commerce-migrator-test-'));
  tempDirs.push(dir);
  return dir;
}

/** A copy of a domain's migrations folder that a test may modify. */
function copyMigrations(domain: 'users' | 'catalog'): string {
  const dir = join(tempDir(), 'migrations');
  cpSync(migrationsDir(domain), dir, { recursive: true });
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
  await admin.connect();
  try {
    for (const name of scratchDatabases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('committed migrations', () => {
  it('exist for users and catalog, in Prisma layout', () => {
    expect(domainsWithSchema()).toEqual(expect.arrayContaining(['users', 'catalog']));
    for (const domain of ['users', 'catalog'] as const) {
      expect(readMigrations(migrationsDir(domain)).length).toBeGreaterThan(0);
      expect(readFileSync(join(migrationsDir(domain), 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    }
  });
});

describe('applier', () => {
  it.each(['users', 'catalog'] as const)('migrates an empty %s scratch database, then finds nothing to do', async (domain) => {
    const url = scratchUrl();
    const local = readMigrations(migrationsDir(domain));

    const first = await migrateDatabase(url, migrationsDir(domain), quiet);
    expect(first.applied).toEqual(local.map((m) => m.name));
    expect(first.alreadyApplied).toBe(0);

    const second = await migrateDatabase(url, migrationsDir(domain), quiet);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(local.length);

    const rows = await query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, applied_steps_count, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(local.map((m) => [m.name, m.checksum, 1]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    const table = domain === 'users' ? 'users' : 'products';
    expect(await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = '${table}'`)).toHaveLength(1);
  });

  it("leaves bookkeeping that Prisma's own `migrate status` accepts", async () => {
    const url = scratchUrl();
    await migrateDatabase(url, migrationsDir('users'), quiet);
    const status = await prismaMigrateStatus(url, schemaPath('users'), migrationsDir('users'));
    expect(status.stdout).toContain('Database schema is up to date');
    expect(status.exitCode).toBe(0);
  });

  it('refuses a database where an applied migration was modified', async () => {
    const url = scratchUrl();
    const dir = copyMigrations('users');
    await migrateDatabase(url, dir, quiet);
    const migrations = readMigrations(dir);
    const [first] = migrations;
    appendFileSync(first!.path, '\n-- an innocent-looking edit\n');

    const attempt = migrateDatabase(url, dir, quiet);
    await expect(attempt).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
    await expect(attempt).rejects.toThrow(first!.name);
    // The refused run recorded nothing: the bookkeeping is what the first run left.
    expect(await query(url, 'SELECT 1 FROM _prisma_migrations')).toHaveLength(migrations.length);
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const url = scratchUrl();
    const dir = copyMigrations('users');
    mkdirSync(join(dir, '29990101000000_broken'));
    writeFileSync(join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "half_done" (id INT);\nSELECT * FROM "no_such_table";\n');

    await expect(migrateDatabase(url, dir, quiet)).rejects.toBeInstanceOf(MigrationApplyError);
    const names = await query<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations');
    expect(names.map((r) => r.migration_name)).toEqual(readMigrations(migrationsDir('users')).map((m) => m.name));
    expect(await query(url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toHaveLength(0);
  });

  it('serializes concurrent runs on one database (advisory lock)', async () => {
    const url = scratchUrl();
    const runs = await Promise.all([1, 2, 3].map(() => migrateDatabase(url, migrationsDir('catalog'), quiet)));
    const local = readMigrations(migrationsDir('catalog'));
    expect(runs.flatMap((run) => run.applied).sort()).toEqual(local.map((m) => m.name));
    expect(await query(url, 'SELECT 1 FROM _prisma_migrations')).toHaveLength(local.length);
  });
});

describe('drift check (Prisma 6 wasm schema engine)', { timeout: 120_000 }, () => {
  it('finds no drift for any domain', async () => {
    const results = await checkDriftAll();
    expect(results.map((r) => r.domain)).toEqual(expect.arrayContaining(['users', 'catalog']));
    for (const result of results) expect({ domain: result.domain, drifted: result.drifted, summary: result.summary }).toEqual({ domain: result.domain, drifted: false, summary: '' });
  });

  it('detects a schema change that no migration carries', async () => {
    const schema = join(tempDir(), 'schema.prisma');
    writeFileSync(schema, readFileSync(schemaPath('users'), 'utf8').replace(/(model User \{\n)/, '$1  nickname String?\n'));
    const result = await checkDriftFor(schema, migrationsDir('users'));
    expect(result.drifted).toBe(true);
    expect(result.summary).toContain('users');
    expect(result.script).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"nickname" TEXT/);
  });

  it('authors the missing migration, which removes the drift and applies', async () => {
    const schema = join(tempDir(), 'schema.prisma');
    writeFileSync(schema, readFileSync(schemaPath('users'), 'utf8').replace(/(model User \{\n)/, '$1  nickname String?\n'));
    const dir = copyMigrations('users');

    const created = await createMigration('users', 'Add nickname', { schemaFile: schema, migrationsDir: dir });
    expect(created?.name).toMatch(/^\d{14}_add_nickname$/);
    expect(created?.sql).toBe('-- AlterTable\nALTER TABLE "users" ADD COLUMN     "nickname" TEXT;\n');
    expect((await checkDriftFor(schema, dir)).drifted).toBe(false);
    expect(await createMigration('users', 'nothing', { schemaFile: schema, migrationsDir: dir })).toBeNull();

    const url = scratchUrl();
    const result = await migrateDatabase(url, dir, quiet);
    expect(result.applied.at(-1)).toBe(created?.name);
    expect(await query(url, "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'")).toHaveLength(1);
  });

  it('handles dollar-quoted bodies (functions, triggers) in both the engine and the applier', async () => {
    const dir = copyMigrations('users');
    mkdirSync(join(dir, '29990101000000_touch_trigger'));
    writeFileSync(
      join(dir, '29990101000000_touch_trigger', 'migration.sql'),
      [
        'CREATE FUNCTION "touch_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$',
        'BEGIN',
        '  NEW."updated_at" := now();',
        '  RETURN NEW;',
        'END;',
        '$$;',
        'CREATE TRIGGER "users_touch" BEFORE UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION "touch_updated_at"();',
        '',
      ].join('\n'),
    );
    expect((await checkDriftFor(schemaPath('users'), dir)).drifted).toBe(false);
    const url = scratchUrl();
    await migrateDatabase(url, dir, quiet);
    expect(await query(url, "SELECT 1 FROM pg_trigger WHERE tgname = 'users_touch'")).toHaveLength(1);
  });
});
