/**
 * Drift check and migration authoring, both built on one question answered by
 * Prisma's own schema engine: "applied to an empty database, what do the
 * committed migrations lack compared to schema.prisma?"
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Domain } from '@commerce/config';
import { diffMigrationsToSchema, type EngineOptions } from './engine.ts';
import { MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE, nextMigrationName, readMigrations } from './migrations.ts';
import { domainsWithSchema, migrationsDir, schemaPath } from './paths.ts';

export interface DriftResult {
  schemaFile: string;
  migrationsDir: string;
  migrationCount: number;
  drifted: boolean;
  /** Prisma's human-readable summary of what differs (empty when no drift). */
  summary: string;
  /** SQL that would bring the migrations up to the schema (empty when no drift). */
  script: string;
  durationMs: number;
}

export interface DomainDriftResult extends DriftResult {
  domain: Domain;
}

/** Drift between any migrations folder and any schema file (tests use temp copies). */
export async function checkDriftFor(schemaFile: string, dir: string, options: EngineOptions = {}): Promise<DriftResult> {
  const started = performance.now();
  const migrationCount = readMigrations(dir).length; // validates the folder layout first
  const summary = await diffMigrationsToSchema(schemaFile, dir, options);
  // Only on drift: a second run renders the missing SQL, which is the most actionable view.
  const script = summary.differs ? await diffMigrationsToSchema(schemaFile, dir, { ...options, script: true }) : undefined;
  return {
    schemaFile,
    migrationsDir: dir,
    migrationCount,
    drifted: summary.differs,
    summary: summary.differs ? summary.output.trim() : '',
    script: script?.output.trim() ?? '',
    durationMs: performance.now() - started,
  };
}

export async function checkDrift(domain: Domain, options: EngineOptions = {}): Promise<DomainDriftResult> {
  return { domain, ...(await checkDriftFor(schemaPath(domain), migrationsDir(domain), options)) };
}

/** Run drift checks with limited parallelism (each one is a Node process with a wasm engine). */
export async function checkDriftAll(domains: readonly Domain[] = domainsWithSchema(), options: EngineOptions & { concurrency?: number } = {}): Promise<DomainDriftResult[]> {
  const results: DomainDriftResult[] = new Array(domains.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < domains.length; index = next++) {
      results[index] = await checkDrift(domains[index] as Domain, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, domains.length) }, worker));
  return results;
}

/** Human-readable report of drift results. */
export function formatDrift(result: DriftResult & { domain?: string }): string {
  const label = result.domain ?? result.schemaFile;
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (!result.drifted) return `✔ ${label}: ${result.migrationCount} migration(s) match schema.prisma (${seconds}s)`;
  const indent = (text: string): string => text.replace(/^/gm, '    ');
  return [
    `✖ ${label}: migrations do not produce what schema.prisma declares (${seconds}s)`,
    `  schema:     ${result.schemaFile}`,
    `  migrations: ${result.migrationsDir}`,
    '  Differences (from the migrations to the schema):',
    indent(result.summary),
    '  SQL a new migration would need:',
    indent(result.script),
    result.domain ? `  Fix: tsx src/cli.ts new ${result.domain} <name>   (or revert the schema change)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export interface CreatedMigration {
  name: string;
  /** Absolute path of the new migration.sql. */
  path: string;
  sql: string;
}

export interface CreateMigrationOptions extends EngineOptions {
  /** Write a migration even when the schema has no changes (for hand-written SQL). */
  allowEmpty?: boolean;
  /** Overrides for tests: another schema file / migrations folder than the domain's. */
  schemaFile?: string;
  migrationsDir?: string;
  now?: Date;
}

/**
 * Write the next migration folder: the SQL Prisma generates for the
 * difference between the existing migrations and schema.prisma.
 * Returns null (and writes nothing) when there is no difference, unless allowEmpty.
 */
export async function createMigration(domain: Domain, name: string, options: CreateMigrationOptions = {}): Promise<CreatedMigration | null> {
  const dir = options.migrationsDir ?? migrationsDir(domain);
  const existing = readMigrations(dir);
  const folder = nextMigrationName(existing, name, options.now);
  const diff = await diffMigrationsToSchema(options.schemaFile ?? schemaPath(domain), dir, { ...options, script: true });
  if (!diff.differs && !options.allowEmpty) return null;
  // Prisma's own text for an empty migration; a migration.sql ends with one newline.
  const sql = diff.differs ? `${diff.output.replace(/\n+$/, '')}\n` : '-- This is an empty migration.\n';
  mkdirSync(join(dir, folder), { recursive: true });
  if (!existsSync(join(dir, MIGRATION_LOCK_FILE))) writeFileSync(join(dir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT);
  const path = join(dir, folder, 'migration.sql');
  writeFileSync(path, sql);
  return { name: folder, path, sql };
}
