import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl as configuredDatabaseUrl, PRISMA_TRANSACTION_DEFAULTS, prismaPgOptions } from '@commerce/config';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export { Prisma, PrismaClient };
export type NotificationsPrisma = PrismaClient;
/** What a service gets inside `prisma.$transaction(async (tx) => ...)`, and what event handlers get. */
export type NotificationsTx = Prisma.TransactionClient;
/** Either the client or a transaction: helpers that only read or write one row accept both. */
export type NotificationsDb = NotificationsPrisma | NotificationsTx;

export type {
  AuditEntry,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  Notification,
  NotificationChannel as ChannelKind,
  NotificationPreference,
  NotificationType,
  OrderSnapshot,
  UserContact,
} from '../generated/prisma/client.js';

export interface NotificationsPrismaOptions {
  /** Defaults to the notifications database of the current APP_ENV. */
  databaseUrl?: string;
  /** Pool size; the driver default (10) suits one subgraph process. */
  maxConnections?: number;
}

/** One PrismaClient per process, over the pg driver adapter (no native engine). */
export function createNotificationsPrisma(options: NotificationsPrismaOptions = {}): NotificationsPrisma {
  const adapter = new PrismaPg({
    connectionString: options.databaseUrl ?? configuredDatabaseUrl('notifications'),
    ...(options.maxConnections ? { max: options.maxConnections } : {}),
  }, prismaPgOptions());
  return new PrismaClient({ adapter, transactionOptions: PRISMA_TRANSACTION_DEFAULTS });
}
