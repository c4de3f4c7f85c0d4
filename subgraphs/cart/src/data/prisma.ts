import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type CartPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)`. */
export type CartTx = Prisma.TransactionClient;
/** Either the client or a transaction: read helpers accept both. */
export type CartDb = CartPrisma | CartTx;

export interface CartPrismaOptions {
  /** Defaults to the cart database of the current APP_ENV. */
  databaseUrl?: string;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
  /**
   * Called with every SQL statement Prisma sends. Tests use it to prove that
   * reading a cart costs the same statements for 1 line or 50; production
   * leaves it unset, so Prisma does not build query events at all.
   */
  onQuery?: (sql: string) => void;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createCartPrisma(options: CartPrismaOptions = {}): CartPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('cart'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}
