import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type SearchPrisma = PrismaClient;
/** What a handler or service gets inside `prisma.$transaction(async (tx) => ...)`. */
export type SearchTx = Prisma.TransactionClient;
/** Either the client or a transaction: read and write helpers accept both. */
export type SearchDb = SearchPrisma | SearchTx;

/**
 * Word-similarity threshold of pg_trgm's `<%` operator, used by the typo
 * fallback of search and by suggest. The default (0.6) misses one-letter typos
 * in short words ("jaket" vs "Jacket" is 0.44); 0.4 keeps them and still
 * rejects unrelated words ("jaket" vs "Basket" is 0.33).
 */
export const WORD_SIMILARITY_THRESHOLD = 0.4;

export interface SearchPrismaOptions {
  /** Defaults to the search database of the current APP_ENV. */
  databaseUrl?: string;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
  /** Called with every SQL statement Prisma sends (tests, EXPLAIN tooling). */
  onQuery?: (sql: string) => void;
}

/**
 * One PrismaClient per process, over the pg driver adapter (no native
 * engine). Every connection starts with the trigram threshold set, so the
 * `<%` operator (served by the GIN trigram indexes) uses it.
 */
export function createSearchPrisma(options: SearchPrismaOptions = {}): SearchPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('search'),
    options: `-c pg_trgm.word_similarity_threshold=${WORD_SIMILARITY_THRESHOLD}`,
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}
