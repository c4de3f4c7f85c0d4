/**
 * Where each domain's schema and migrations live:
 *   prisma/<domain>/schema.prisma
 *   prisma/<domain>/migrations/<timestamp>_<name>/migration.sql
 *   prisma/<domain>/migrations/migration_lock.toml
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMAINS, type Domain } from '@commerce/config';

/** Absolute path of the prisma/ workspace (this file is prisma/src/paths.ts). */
export const PRISMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const schemaPath = (domain: Domain): string => join(PRISMA_DIR, domain, 'schema.prisma');
export const migrationsDir = (domain: Domain): string => join(PRISMA_DIR, domain, 'migrations');

export function isDomain(value: string): value is Domain {
  return (DOMAINS as readonly string[]).includes(value);
}

export function parseDomain(value: string): Domain {
  if (!isDomain(value)) throw new Error(`Unknown domain "${value}". Known domains: ${DOMAINS.join(', ')}`);
  return value;
}

/** Domains that own a database, i.e. have prisma/<domain>/schema.prisma, in DOMAINS order. */
export function domainsWithSchema(): Domain[] {
  return DOMAINS.filter((domain) => existsSync(schemaPath(domain)));
}
