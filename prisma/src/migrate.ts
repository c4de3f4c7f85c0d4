/**
 * Deploy: apply pending migrations to a database, recording them in
 * `_prisma_migrations` exactly as Prisma Migrate does, so `prisma migrate
 * status/deploy` anywhere else treats them as applied.
 *
 * Why not Prisma's own `migrate deploy`? Prisma 7's migrate cannot run offline
 * (it insists on downloading a native schema engine), and Prisma 6 through the
 * WebAssembly engine costs ~1.5 s of process start-up per domain even when
 * nothing is pending. Deploying is simple (run each pending migration.sql in
 * order, record it), so a few dozen lines over `pg` do it in milliseconds,
 * which matters because every test run migrates every test database.
 *
 * Differences from Prisma, on purpose:
 *  - each migration runs in a transaction together with its bookkeeping row,
 *    so a failure leaves no half-applied migration and nothing to `resolve`
 *    (a migration whose SQL cannot run in a transaction, e.g. CREATE INDEX
 *    CONCURRENTLY, opts out with a `-- migrator:no-transaction` line and then
 *    behaves like Prisma: a failure leaves a failed row that blocks deploys);
 *  - an applied migration whose migration.sql changed is refused, not ignored.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { appEnv, databaseUrl, type AppEnv, type Domain } from '@commerce/config';
import { parseConnectionUrl, pgConnectionConfig, quoteIdent, redactUrl, type ConnectionFields } from './connection.ts';
import { readMigrations, type LocalMigration } from './migrations.ts';
import { domainsWithSchema, migrationsDir } from './paths.ts';

/** The advisory lock key Prisma's schema engine takes, so we also exclude a concurrent real Prisma CLI. */
export const MIGRATION_ADVISORY_LOCK_KEY = 72707369;

/** Prisma's own DDL for the bookkeeping table (identical columns, types and defaults). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const NO_TRANSACTION_MARKER = /^--\s*migrator:no-transaction\s*$/m;

export interface MigrateOptions {
  /** Progress lines (applied migrations, warnings). Defaults to stderr. */
  log?: (line: string) => void;
  /** Create the database if it does not exist (default true). */
  createDatabase?: boolean;
  /** How long to wait for another run holding the migration lock (default 60 s). */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Database name the migrations went to. */
  database: string;
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Local migrations that were already applied. */
  alreadyApplied: number;
  /** Recorded as applied in the database but absent locally (e.g. from another branch). */
  unknownApplied: string[];
  durationMs: number;
}

export interface DomainMigrateResult extends MigrateResult {
  domain: Domain;
  env: AppEnv;
  /** True when the domain has a schema but no migrations folder yet. */
  noMigrations: boolean;
}

/** An applied migration's migration.sql no longer matches what was applied. */
export class MigrationChecksumMismatchError extends Error {
  constructor(
    readonly database: string,
    readonly mismatches: ReadonlyArray<{ name: string; applied: string; local: string }>,
  ) {
    super(
      `Refusing to migrate ${database}: ${mismatches.length === 1 ? 'an applied migration was' : 'applied migrations were'} modified after being applied:\n` +
        mismatches.map((m) => `  ${m.name}: applied sha256 ${m.applied}, local file sha256 ${m.local}`).join('\n') +
        '\nRestore the original migration.sql and put the change in a new migration (tsx src/cli.ts new <domain> <name>).' +
        '\nFor a throw-away database, drop and recreate it instead.',
    );
    this.name = 'MigrationChecksumMismatchError';
  }
}

/** A migration is recorded as started but neither finished nor rolled back (Prisma's P3009 state). */
export class FailedMigrationError extends Error {
  constructor(
    readonly database: string,
    readonly migrations: readonly string[],
  ) {
    super(
      `Refusing to migrate ${database}: migration(s) ${migrations.join(', ')} failed earlier and are not resolved. ` +
        'Fix the database by hand, then mark them with `prisma migrate resolve --applied|--rolled-back <name>` ' +
        `or delete their rows from "_prisma_migrations" (finished_at IS NULL).`,
    );
    this.name = 'FailedMigrationError';
  }
}

/** A pending migration's SQL failed; its transaction was rolled back. */
export class MigrationApplyError extends Error {
  constructor(
    readonly database: string,
    readonly migration: string,
    override readonly cause: unknown,
  ) {
    super(`Migration ${migration} failed on ${database}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MigrationApplyError';
  }
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function clientConfig(fields: ConnectionFields): pg.ClientConfig {
  return { ...pgConnectionConfig(fields), connectionTimeoutMillis: 5_000, application_name: 'commerce-migrator' };
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** Create `fields.database` through the maintenance database; a concurrent creator is fine. */
async function createDatabase(fields: ConnectionFields): Promise<void> {
  const admin = new pg.Client(clientConfig({ ...fields, database: 'postgres' }));
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(fields.database)}`);
  } catch (error) {
    // 42P04 duplicate_database; 23505 when two CREATE DATABASE race on pg_database's unique index.
    if (errorCode(error) !== '42P04' && errorCode(error) !== '23505') throw error;
  } finally {
    await admin.end();
  }
}

async function connect(fields: ConnectionFields, create: boolean, log: (line: string) => void): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(fields));
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if (errorCode(error) !== '3D000' || !create) throw error; // 3D000 invalid_catalog_name: no such database
  }
  log(`${fields.database}: database does not exist, creating it`);
  await createDatabase(fields);
  const retry = new pg.Client(clientConfig(fields));
  await retry.connect();
  return retry;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function acquireLock(client: pg.Client, database: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  // Polling pg_try_advisory_lock instead of blocking in pg_advisory_lock gives a timeout and a message.
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_ADVISORY_LOCK_KEY]);
    if (rows[0]?.locked) return;
    if (Date.now() > deadline) {
      throw new Error(`${database}: another migration run held the migration lock for more than ${Math.round(timeoutMs / 1000)} s`);
    }
    if (!announced) {
      log(`${database}: waiting for another migration run to finish`);
      announced = true;
    }
    await sleep(100);
  }
}

async function applyOne(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  if (NO_TRANSACTION_MARKER.test(migration.sql)) {
    // Prisma's own protocol: a started row first, so a failure stays visible and blocks later deploys.
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    try {
      await client.query(migration.sql);
    } catch (error) {
      await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(error instanceof Error ? error.message : error)]);
      throw error;
    }
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
    return;
  }
  await client.query('BEGIN');
  try {
    // Without parameters pg uses the simple query protocol, which runs a multi-statement script as is.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, now(), 1)`,
      [id, migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Apply every pending migration of `dir` to the database at `url`.
 * Idempotent; concurrent runs on one database serialize on an advisory lock.
 */
export async function migrateDatabase(url: string, dir: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const started = performance.now();
  const log = options.log ?? defaultLog;
  const fields = parseConnectionUrl(url);
  const database = fields.database;
  const local = readMigrations(dir);
  const client = await connect(fields, options.createDatabase ?? true, log).catch((error: unknown) => {
    throw new Error(`Cannot connect to ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  try {
    await acquireLock(client, database, options.lockTimeoutMs ?? 60_000, log);
    try {
      if (fields.schema) {
        // Prisma's ?schema= puts everything, _prisma_migrations included, in that schema.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(fields.schema)}`);
        await client.query(`SET search_path TO ${quoteIdent(fields.schema)}`);
      }
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        `SELECT id, checksum, migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
      );
      const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
      if (failed.length > 0) throw new FailedMigrationError(database, failed.map((row) => row.migration_name));

      const applied = new Map<string, MigrationRow>();
      for (const row of rows) if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);

      const mismatches = local.flatMap((migration) => {
        const row = applied.get(migration.name);
        return row && row.checksum !== migration.checksum ? [{ name: migration.name, applied: row.checksum, local: migration.checksum }] : [];
      });
      if (mismatches.length > 0) throw new MigrationChecksumMismatchError(database, mismatches);

      const localNames = new Set(local.map((migration) => migration.name));
      const unknownApplied = [...applied.keys()].filter((name) => !localNames.has(name));
      if (unknownApplied.length > 0) {
        log(`${database}: warning: applied migration(s) not found locally: ${unknownApplied.join(', ')}`);
      }

      const pending = local.filter((migration) => !applied.has(migration.name));
      const appliedNow: string[] = [];
      for (const migration of pending) {
        try {
          await applyOne(client, migration);
        } catch (error) {
          throw new MigrationApplyError(database, migration.name, error);
        }
        appliedNow.push(migration.name);
        log(`${database}: applied ${migration.name}`);
      }
      return {
        database,
        applied: appliedNow,
        alreadyApplied: local.length - pending.length,
        unknownApplied,
        durationMs: performance.now() - started,
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Apply prisma/<domain>/migrations to the domain's database for `env` (databaseUrl from @commerce/config). */
export async function migrateDomain(domain: Domain, env: AppEnv = appEnv(), options: MigrateOptions = {}): Promise<DomainMigrateResult> {
  const url = databaseUrl(domain, env);
  const dir = migrationsDir(domain);
  if (readMigrations(dir).length === 0) {
    (options.log ?? defaultLog)(`${domain}: no migrations in ${dir}; create one with: tsx src/cli.ts new ${domain} init`);
    return {
      domain,
      env,
      noMigrations: true,
      database: parseConnectionUrl(url).database,
      applied: [],
      alreadyApplied: 0,
      unknownApplied: [],
      durationMs: 0,
    };
  }
  return { domain, env, noMigrations: false, ...(await migrateDatabase(url, dir, options)) };
}

/**
 * Migrate every domain that has prisma/<domain>/schema.prisma, in parallel
 * (each owns a separate database). Throws one error naming every failure.
 */
export async function migrateAll(env: AppEnv = appEnv(), options: MigrateOptions & { domains?: readonly Domain[] } = {}): Promise<DomainMigrateResult[]> {
  const domains = options.domains ?? domainsWithSchema();
  const settled = await Promise.allSettled(domains.map((domain) => migrateDomain(domain, env, options)));
  const failures = settled.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [`${domains[index]}: ${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`] : [],
  );
  if (failures.length > 0) {
    const error = new Error(`Migration failed for ${failures.length} domain(s):\n${failures.join('\n')}`);
    const first = settled.find((outcome) => outcome.status === 'rejected');
    if (first?.status === 'rejected') error.cause = first.reason;
    throw error;
  }
  return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
}
