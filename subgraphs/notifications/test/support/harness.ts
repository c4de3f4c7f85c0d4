/**
 * Test harness: the real notifications subgraph on an ephemeral port over
 * ecommerce_notifications_test, real Redis, and a real SMTP server (the test
 * mail server) it sends to. The Kafka consumer is off unless asked for:
 * `apply()` runs an event through the handlers exactly as the consumer does
 * (processed_events row + handler in one transaction), and the Kafka test
 * covers the consumer itself. The dispatcher runs with short intervals.
 */
import { Writable } from 'node:stream';
import { databaseUrl, redisUrl } from '@commerce/config';
import { createEventContext, type EventContext, type EventEnvelope } from '@commerce/events';
import { createLogger } from '@commerce/observability';
import { startSubgraph } from '@commerce/subgraph-kit';
import { testSubgraph, type TestSubgraph } from '@commerce/testing';
import type { NotificationChannel } from '../../src/channels/channel.js';
import { createNotificationsPrisma, type ChannelKind, type NotificationsPrisma } from '../../src/data/prisma.js';
import type { DispatcherSettings } from '../../src/settings.js';
import { notificationsSubgraph, type NotificationsRuntime } from '../../src/subgraph.js';
import { startTestSmtpServer, type TestSmtpServer } from './smtp.js';

export { startTestSmtpServer, type TestSmtpServer, type ReceivedMail } from './smtp.js';
export * from './events.js';

export const STOREFRONT_URL = 'https://shop.example.test';

/** Fast retries so a test sees backoff and final failure within seconds. */
export const TEST_DISPATCHER: DispatcherSettings = {
  pollIntervalMs: 50,
  batchSize: 20,
  concurrency: 5,
  maxAttempts: 4,
  backoffInitialMs: 150,
  backoffMaxMs: 2_000,
  leaseMs: 10_000,
};

export interface HarnessOptions {
  /** false: no dispatcher (tests look at delivery rows); else overrides of TEST_DISPATCHER. */
  dispatcher?: false | Partial<DispatcherSettings>;
  /** Start the Kafka consumer in this group (fromBeginning false). */
  consumerGroup?: string;
  channels?: Partial<Record<ChannelKind, NotificationChannel>>;
  /** Send email here instead of the test mail server (e.g. a closed port: SMTP down). */
  smtpPort?: number;
}

export interface Harness extends TestSubgraph<NotificationsPrisma> {
  runtime: NotificationsRuntime;
  smtp: TestSmtpServer;
  /** Every log line the subgraph wrote (JSON), debug level and up. */
  logs: string[];
  /** Runs one event through the handlers like the consumer: 'duplicate' when this event id was handled before. */
  apply(event: EventEnvelope): Promise<'handled' | 'duplicate'>;
}

export const TEST_CONSUMER = 'notifications-test';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const smtp = await startTestSmtpServer();
  const logs: string[] = [];
  const logger = createLogger({
    service: 'notifications',
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  const url = databaseUrl('notifications', 'test');
  const prisma = createNotificationsPrisma({ databaseUrl: url });
  const def = notificationsSubgraph({
    databaseUrl: url,
    prisma,
    smtp: options.smtpPort ? { ...smtp.settings, port: options.smtpPort } : smtp.settings,
    mailFrom: '"Commerce" <no-reply@shop.example.test>',
    storefrontUrl: STOREFRONT_URL,
    redisUrl: redisUrl(),
    consumers: options.consumerGroup !== undefined,
    ...(options.consumerGroup ? { consumerGroup: options.consumerGroup, fromBeginning: false } : {}),
    dispatcher: options.dispatcher === false ? false : { ...TEST_DISPATCHER, ...options.dispatcher },
    ...(options.channels ? { channels: options.channels } : {}),
    logger,
  });
  const running = await startSubgraph(def, { port: 0, logger });
  const server = testSubgraph(running, prisma);
  const handlers = def.runtime.handlers as unknown as Record<string, (ctx: EventContext<unknown>, event: EventEnvelope) => Promise<void>>;

  return {
    ...server,
    runtime: def.runtime,
    smtp,
    logs,
    apply: (event) =>
      prisma.$transaction(async (tx) => {
        const claimed = await tx.$executeRawUnsafe(
          'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
          TEST_CONSUMER,
          event.eventId,
        );
        if (claimed === 0) return 'duplicate';
        const handler = handlers[event.type];
        if (!handler) throw new Error(`no handler for ${event.type}`);
        await handler(createEventContext({ tx, envelope: event, group: TEST_CONSUMER, logger }), event);
        return 'handled';
      }),
    /** Stops the subgraph (consumer, dispatcher), leaves the test database empty, closes everything. */
    async stop() {
      await running.stop();
      await truncateAll(prisma).catch(() => undefined);
      await prisma.$disconnect();
      await smtp.close();
    },
  };
}

/** Every notifications table, emptied; each test file starts from nothing. */
export async function truncateAll(db: NotificationsPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE user_contacts, order_snapshots, notification_preferences, deliveries, delivery_attempts, notifications, outbox_events, processed_events, audit_entries',
  );
}

export interface DeliveryRow {
  id: string;
  channel: ChannelKind;
  type: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
  providerMessageId: string | null;
  content: unknown;
}

export const deliveriesFor = (db: NotificationsPrisma, eventId: string): Promise<DeliveryRow[]> =>
  db.delivery.findMany({ where: { eventId }, orderBy: { channel: 'asc' } }) as Promise<DeliveryRow[]>;

/** Polls until the probe returns a value (not undefined). */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until every delivery of the event is final (SENT or FAILED) and returns them. */
export const settled = (db: NotificationsPrisma, eventId: string, timeoutMs = 10_000): Promise<DeliveryRow[]> =>
  until(
    async () => {
      const rows = await deliveriesFor(db, eventId);
      return rows.length > 0 && rows.every((row) => row.status === 'SENT' || row.status === 'FAILED') ? rows : undefined;
    },
    timeoutMs,
    `deliveries of ${eventId} settled`,
  );
