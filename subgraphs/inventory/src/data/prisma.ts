import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type InventoryPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)` (and what event handlers get). */
export type InventoryTx = Prisma.TransactionClient;
/** Either the client or a transaction: read helpers accept both. */
export type InventoryDb = InventoryPrisma | InventoryTx;

export interface InventoryPrismaOptions {
  /** Defaults to the inventory database of the current APP_ENV. */
  databaseUrl?: string;
  /**
   * Called with every SQL statement Prisma sends. Tests use it to prove that
   * entity references are batched; production leaves it unset, so Prisma
   * does not build query events at all.
   */
  onQuery?: (sql: string) => void;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createInventoryPrisma(options: InventoryPrismaOptions = {}): InventoryPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('inventory'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}
