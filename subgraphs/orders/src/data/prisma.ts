import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type OrdersPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)`. */
export type OrdersTx = Prisma.TransactionClient;
/** Either the client or a transaction: read helpers accept both. */
export type OrdersDb = OrdersPrisma | OrdersTx;

export interface OrdersPrismaOptions {
  /** Defaults to the orders database of the current APP_ENV. */
  databaseUrl?: string;
  /** Called with every SQL statement Prisma sends (tests count queries); unset in production. */
  onQuery?: (sql: string) => void;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createOrdersPrisma(options: OrdersPrismaOptions = {}): OrdersPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('orders'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}

/** True for Prisma's unique-constraint violation (P2002), optionally on a given column. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  // P2002 from a model query; P2010 (raw query failed) carries the driver's error, with PostgreSQL's code.
  const unique = error.code === 'P2002' || (error.code === 'P2010' && JSON.stringify(error.meta ?? {}).includes('"originalCode":"23505"'));
  if (!unique) return false;
  if (!column) return true;
  return JSON.stringify(error.meta ?? {}).includes(column);
}
