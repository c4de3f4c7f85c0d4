import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type { Payment, Refund } from '../generated/prisma/client.js';
export type PaymentsPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)` (and what consumer handlers get). */
export type PaymentsTx = Prisma.TransactionClient;
/** Either the client or a transaction: read helpers accept both. */
export type PaymentsDb = PaymentsPrisma | PaymentsTx;

export interface PaymentsPrismaOptions {
  /** Defaults to the payments database of the current APP_ENV. */
  databaseUrl?: string;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
  /** Called with every SQL statement (tests count queries); unset in production. */
  onQuery?: (sql: string) => void;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createPaymentsPrisma(options: PaymentsPrismaOptions = {}): PaymentsPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('payments'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}
