/**
 * @commerce/prisma: per-domain migrations and the tools around them.
 * See README.md for the workflow and the reasons behind the design.
 */
export {
  migrateAll,
  migrateDatabase,
  migrateDomain,
  FailedMigrationError,
  MigrationApplyError,
  MigrationChecksumMismatchError,
  MIGRATION_ADVISORY_LOCK_KEY,
  type DomainMigrateResult,
  type MigrateOptions,
  type MigrateResult,
} from './migrate.ts';
export {
  checkDrift,
  checkDriftAll,
  checkDriftFor,
  createMigration,
  formatDrift,
  type CreatedMigration,
  type CreateMigrationOptions,
  type DomainDriftResult,
  type DriftResult,
} from './drift.ts';
export { generateAll, generateDomain, type GenerateResult } from './generate.ts';
export { readMigrations, sha256Hex, type LocalMigration } from './migrations.ts';
export { prismaMigrateStatus, runPrisma6, type EngineOptions, type EngineRun } from './engine.ts';
export { domainsWithSchema, migrationsDir, schemaPath, PRISMA_DIR } from './paths.ts';
