import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { createCatalogSql, type CatalogSql } from './sql.js';

export { Prisma, PrismaClient };
export type CatalogPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)`. */
export type CatalogTx = Prisma.TransactionClient;
/** Either the client or a transaction: read helpers accept both. */
export type CatalogDb = CatalogPrisma | CatalogTx;

export interface CatalogPrismaOptions {
  /** Defaults to the catalog database of the current APP_ENV. */
  databaseUrl?: string;
  /**
   * Called with every SQL statement Prisma sends. Tests use it to prove that a
   * page costs a constant number of queries; production leaves it unset, so
   * Prisma does not build query events at all.
   */
  onQuery?: (sql: string) => void;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createCatalogPrisma(options: CatalogPrismaOptions = {}): CatalogPrisma {
  return prismaOver(poolConfig(options), prismaPgOptions(), options.onQuery);
}

/**
 * The catalog database as the subgraph uses it: Prisma for writes and their
 * transactions, and the read path's SQL client (data/sql.ts), both over one
 * pool, so the process holds no more connections than before.
 */
export interface CatalogDatabase {
  prisma: CatalogPrisma;
  sql: CatalogSql;
  /** Disconnects Prisma and closes the pool. */
  close(): Promise<void>;
}

export function openCatalogDatabase(options: CatalogPrismaOptions = {}): CatalogDatabase {
  const pool = new pg.Pool(poolConfig(options));
  // One generator for both: a prepared statement's name must mean one text on every connection.
  const pgOptions = prismaPgOptions();
  const prisma = prismaOver(pool, pgOptions, options.onQuery);
  const sql = createCatalogSql(pool, { ...pgOptions, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    sql,
    close: () =>
      (closing ??= (async () => {
        await prisma.$disconnect();
        await pool.end();
      })()),
  };
}

function poolConfig(options: CatalogPrismaOptions): pg.PoolConfig {
  return {
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('catalog'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  };
}

function prismaOver(
  poolOrConfig: pg.Pool | pg.PoolConfig,
  pgOptions: ReturnType<typeof prismaPgOptions>,
  onQuery: ((sql: string) => void) | undefined,
): CatalogPrisma {
  const adapter = new PrismaPg(poolOrConfig, pgOptions);
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}

/** True for Prisma's unique-constraint violation (P2002), optionally on a given column. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (!column) return true;
  return JSON.stringify(error.meta ?? {}).includes(column);
}
