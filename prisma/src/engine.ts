/**
 * Running the Prisma 6.19 CLI with its WebAssembly schema engine, for diffing.
 *
 * Prisma 7 (which generates our clients) cannot migrate or diff offline: its
 * CLI only drives a native schema-engine binary it downloads on first use.
 * Prisma 6.19 can run the same schema engine compiled to WebAssembly, talking
 * to PostgreSQL through a driver adapter (adapter.ts fixes four defects of
 * @prisma/adapter-pg 6.19.3 for this use). Both versions render migration
 * SQL with the same engine code, so what we commit is what Prisma generates.
 *
 * Two incompatibilities are bridged here:
 *  - Prisma 6 requires `url` in the datasource block and Prisma 7 rejects it,
 *    so Prisma 6 gets a temporary copy of schema.prisma with the url injected;
 *    the committed schema is never touched. The adapter decides where to
 *    connect; the url only has to be present.
 *  - The CLI lingers for up to a minute after succeeding (timers armed inside
 *    wasm); engine-preload.cjs un-refs them, and a watchdog kills the process
 *    if it still overstays.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { postgresServerUrl } from '@commerce/config';
import { withDatabase } from './connection.ts';
import { MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE } from './migrations.ts';
import { PRISMA_DIR } from './paths.ts';

const requireFromHere = createRequire(import.meta.url);

/** The Prisma 6 CLI nested in prisma/node_modules (the root has Prisma 7). */
function prisma6Cli(): string {
  const packageJson = requireFromHere.resolve('prisma/package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  if (!version.startsWith('6.')) {
    throw new Error(`Expected Prisma 6 in prisma/node_modules for the wasm schema engine, found prisma@${version} at ${packageJson}`);
  }
  return join(dirname(packageJson), 'build', 'index.js');
}

export const ENGINE_CONFIG = join(PRISMA_DIR, 'migrate-engine.config.ts');
const ENGINE_PRELOAD = join(PRISMA_DIR, 'src', 'engine-preload.cjs');
const URL_ENV = 'COMMERCE_MIGRATOR_URL';
const MIGRATIONS_ENV = 'COMMERCE_MIGRATOR_MIGRATIONS_DIR';

export interface EngineOptions {
  /**
   * Server the engine connects to (its maintenance database); shadow
   * databases are created and dropped there. Default: postgresServerUrl().
   */
  serverUrl?: string;
  /** Kill the CLI after this long (default 120 s). */
  timeoutMs?: number;
}

interface RunOptions extends EngineOptions {
  /** Database the command works on (migrate status/deploy); default: the server's maintenance database. */
  databaseUrl?: string;
  /** migrations.path for commands that read it from the config (migrate status/deploy). */
  migrationsDir?: string;
}

export interface EngineRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run `prisma <args>` (Prisma 6, wasm engine, our adapter). Resolves with whatever exit code it gave. */
export function runPrisma6(args: readonly string[], options: RunOptions = {}): Promise<EngineRun> {
  const serverUrl = options.databaseUrl ?? withDatabase(options.serverUrl ?? postgresServerUrl(), 'postgres');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const child = spawn(process.execPath, ['--require', ENGINE_PRELOAD, prisma6Cli(), ...args, '--config', ENGINE_CONFIG], {
    cwd: PRISMA_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      [URL_ENV]: serverUrl,
      [MIGRATIONS_ENV]: options.migrationsDir ?? '',
      // Any existing file stops the CLI from downloading native engines it will not use.
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
      PRISMA_QUERY_ENGINE_LIBRARY: '/bin/false',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      PRISMA_DISABLE_WARNINGS: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const watchdog = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prisma ${args.join(' ')} did not finish within ${timeoutMs / 1000} s\n${stderr}${stdout}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/**
 * A scratch directory holding what Prisma 6 needs for one domain: the schema
 * with `url` injected and, when the real migrations folder lacks one, a
 * migrations folder with migration_lock.toml (Prisma needs it to know the
 * provider). Remove it with `dispose()`.
 */
export interface EngineWorkspace {
  schemaFile: string;
  migrationsDir: string;
  dispose(): void;
}

/** Add `url = env("COMMERCE_MIGRATOR_URL")` to the datasource block (Prisma 6 requires a url). */
export function injectDatasourceUrl(schema: string): string {
  const block = /(datasource\s+\w+\s*\{)([^}]*)\}/m.exec(schema);
  if (!block) throw new Error('schema.prisma has no datasource block');
  if (/^\s*url\s*=/m.test(block[2] ?? '')) return schema;
  const injected = `${block[1]}${block[2]}  url = env("${URL_ENV}")\n}`;
  return schema.slice(0, block.index) + injected + schema.slice(block.index + block[0].length);
}

export function prepareEngineWorkspace(schemaFile: string, migrationsDir: string): EngineWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'commerce-migrator-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const schemaCopy = join(dir, 'schema.prisma');
    writeFileSync(schemaCopy, injectDatasourceUrl(readFileSync(schemaFile, 'utf8')));
    let migrations = migrationsDir;
    if (!existsSync(join(migrationsDir, MIGRATION_LOCK_FILE))) {
      migrations = join(dir, 'migrations');
      mkdirSync(migrations);
      writeFileSync(join(migrations, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT);
      if (existsSync(migrationsDir)) {
        for (const entry of readdirSync(migrationsDir)) {
          const sql = join(migrationsDir, entry, 'migration.sql');
          if (statSync(join(migrationsDir, entry)).isDirectory() && existsSync(sql)) {
            mkdirSync(join(migrations, entry));
            copyFileSync(sql, join(migrations, entry, 'migration.sql'));
          }
        }
      }
    }
    return { schemaFile: schemaCopy, migrationsDir: migrations, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

export interface SchemaDiff {
  /** True when the migrations do not produce what the schema declares. */
  differs: boolean;
  /** Prisma's output: a human summary, or SQL when `script` was set. */
  output: string;
}

/**
 * `prisma migrate diff --from-migrations <dir> --to-schema-datamodel <schema>`:
 * the engine applies every migration to a fresh shadow database and compares
 * the result with the schema.
 */
export async function diffMigrationsToSchema(
  schemaFile: string,
  migrationsDir: string,
  options: EngineOptions & { script?: boolean } = {},
): Promise<SchemaDiff> {
  const workspace = prepareEngineWorkspace(schemaFile, migrationsDir);
  try {
    const args = ['migrate', 'diff', '--from-migrations', workspace.migrationsDir, '--to-schema-datamodel', workspace.schemaFile, '--exit-code'];
    if (options.script) args.push('--script');
    const run = await runPrisma6(args, options);
    if (run.exitCode !== 0 && run.exitCode !== 2) {
      const detail = `${run.stderr}\n${run.stdout}`
        .split('\n')
        .filter((line) => !line.startsWith('Loaded Prisma config') && !line.startsWith('Prisma config detected'))
        .join('\n')
        .trim();
      throw new Error(`prisma migrate diff failed (exit ${run.exitCode}) for ${schemaFile}:\n${detail}`);
    }
    // The CLI prints the result with console.log, i.e. plus one newline.
    return { differs: run.exitCode === 2, output: run.stdout.replace(/\n$/, '') };
  } finally {
    workspace.dispose();
  }
}

/**
 * Prisma's own `migrate status` for a database: the real Prisma reading our
 * `_prisma_migrations` bookkeeping. Exit code 0 means "up to date".
 */
export async function prismaMigrateStatus(databaseUrl: string, schemaFile: string, migrationsDir: string, options: EngineOptions = {}): Promise<EngineRun> {
  const workspace = prepareEngineWorkspace(schemaFile, migrationsDir);
  try {
    return await runPrisma6(['migrate', 'status', '--schema', workspace.schemaFile], {
      ...options,
      databaseUrl,
      migrationsDir: workspace.migrationsDir,
    });
  } finally {
    workspace.dispose();
  }
}
