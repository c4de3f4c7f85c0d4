import { PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.ts';

/**
 * The users database client. Only this subgraph reads or writes the users
 * database; other domains learn about users from events and federation.
 */
export type UsersDb = PrismaClient;
/** The client handed to `$transaction(async (tx) => ...)` callbacks. */
export type UsersTx = Prisma.TransactionClient;

export interface PrismaClientOptions {
  /** Called with every SQL statement; tests use it to count round trips. */
  onQuery?: (sql: string) => void;
}

export function createPrismaClient(databaseUrl: string, options: PrismaClientOptions = {}): UsersDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl }, prismaPgOptions());
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
  const client = new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client;
}

const prismaCode = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

/** Prisma's error for a unique constraint violation, whichever driver raised it. */
export const isUniqueViolation = (error: unknown): boolean => prismaCode(error) === 'P2002';

/** Prisma's error when an update or delete found no row to change. */
export const isRecordNotFound = (error: unknown): boolean => prismaCode(error) === 'P2025';
