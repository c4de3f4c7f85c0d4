/**
 * Test harness: the payments database (ecommerce_payments_test), the stripe
 * mock with a StripeProvider pointed at it, saga events built like the other
 * services publish them, and `deliver`, which runs a handler the way the
 * consumer does (processed_events row + handler in one transaction).
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl } from '@commerce/config';
import { createEventContext, type DomainEventDefinition, type EnvelopeForType, type EventContext, type EventEnvelope, type OrderPlacedPayload } from '@commerce/events';
import { createLogger, type Logger } from '@commerce/observability';
import { startStripeMock, type StripeMock } from '@commerce/stripe-mock';
import { createPaymentsPrisma, type PaymentsPrisma, type PaymentsTx } from '../src/data/prisma.js';
import { sagaHandlers } from '../src/events/consumer.js';
import type { PaymentProvider } from '../src/service/providers/payment-provider.js';
import { StripeProvider } from '../src/service/providers/stripe-provider.js';

export const WEBHOOK_SECRET = 'whsec_payments_test_secret';
export const TEST_CONSUMER = 'payments-test';

export const silentLogger = (): Logger => createLogger({ service: 'payments-test', level: 'silent' });

export const testPrisma = (onQuery?: (sql: string) => void): PaymentsPrisma =>
  createPaymentsPrisma({ databaseUrl: databaseUrl('payments', 'test'), ...(onQuery ? { onQuery } : {}) });

/** Every payments table, emptied. */
export async function truncateAll(db: PaymentsPrisma): Promise<void> {
  await db.$executeRawUnsafe('TRUNCATE payments, refunds, stripe_webhook_events, outbox_events, processed_events RESTART IDENTITY CASCADE');
}

export interface StripeSetup {
  mock: StripeMock;
  provider: StripeProvider;
}

/** The mock and a StripeProvider pointed at it, configured the way STRIPE_API_HOST/PORT/PROTOCOL would. */
export async function startStripe(options: { webhookUrl?: string; autoDeliverWebhooks?: boolean } = {}): Promise<StripeSetup> {
  const mock = await startStripeMock({ port: 0, webhookSecret: WEBHOOK_SECRET, ...options });
  const provider = new StripeProvider({
    secretKey: 'sk_test_payments_suite',
    host: mock.host,
    port: mock.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return { mock, provider };
}

type SagaType = 'order.placed' | 'stock.reserved' | 'stock.reservation_failed' | 'order.confirmed' | 'order.cancelled' | 'order.refund_requested';
export type SagaEnvelope<T extends SagaType> = EnvelopeForType<DomainEventDefinition, T>;

export function envelope<T extends SagaType>(type: T, payload: SagaEnvelope<T>['payload'], aggregateId: string): SagaEnvelope<T> {
  const base: EventEnvelope = { eventId: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId, payload };
  return base as SagaEnvelope<T>;
}

export interface TestOrder {
  orderId: string;
  userId: string;
  totalMinor: number;
  currency: 'USD' | 'EUR';
  token: string;
}

export function newOrder(overrides: Partial<TestOrder> = {}): TestOrder {
  return { orderId: randomUUID(), userId: randomUUID(), totalMinor: 5000, currency: 'USD', token: 'pm_card_visa', ...overrides };
}

const now = (): string => new Date().toISOString();

export const events = {
  orderPlaced(order: TestOrder): SagaEnvelope<'order.placed'> {
    const payload: OrderPlacedPayload = {
      orderId: order.orderId,
      userId: order.userId,
      cartId: randomUUID(),
      currency: order.currency,
      lines: [
        {
          lineId: randomUUID(),
          productId: randomUUID(),
          variantId: randomUUID(),
          sku: 'SKU-1',
          name: 'Linen Shirt',
          quantity: 1,
          unitPriceMinor: order.totalMinor,
          lineTotalMinor: order.totalMinor,
        },
      ],
      subtotalMinor: order.totalMinor,
      discountMinor: 0,
      taxMinor: 0,
      shippingMinor: 0,
      totalMinor: order.totalMinor,
      paymentMethodToken: order.token,
      placedAt: now(),
    };
    return envelope('order.placed', payload, order.orderId);
  },
  stockReserved(order: TestOrder): SagaEnvelope<'stock.reserved'> {
    return envelope(
      'stock.reserved',
      {
        orderId: order.orderId,
        reservationId: randomUUID(),
        lines: [{ variantId: randomUUID(), warehouseId: randomUUID(), quantity: 1 }],
        expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      },
      order.orderId,
    );
  },
  reservationFailed(order: TestOrder): SagaEnvelope<'stock.reservation_failed'> {
    return envelope(
      'stock.reservation_failed',
      { orderId: order.orderId, reason: 'Not enough stock', shortages: [{ variantId: randomUUID(), requested: 2, available: 1 }] },
      order.orderId,
    );
  },
  orderConfirmed(order: TestOrder): SagaEnvelope<'order.confirmed'> {
    return envelope(
      'order.confirmed',
      { orderId: order.orderId, userId: order.userId, currency: order.currency, totalMinor: order.totalMinor, confirmedAt: now() },
      order.orderId,
    );
  },
  orderCancelled(order: TestOrder, from: SagaEnvelope<'order.cancelled'>['payload']['from'] = 'PAYMENT_AUTHORIZED'): SagaEnvelope<'order.cancelled'> {
    return envelope(
      'order.cancelled',
      { orderId: order.orderId, userId: order.userId, from, to: 'CANCELLED', reason: 'Cancelled by an admin', cancelledAt: now() },
      order.orderId,
    );
  },
  refundRequested(order: TestOrder, amountMinor: number, refundRequestId: string = randomUUID()): SagaEnvelope<'order.refund_requested'> {
    return envelope(
      'order.refund_requested',
      {
        orderId: order.orderId,
        userId: order.userId,
        refundRequestId,
        currency: order.currency,
        amountMinor,
        restock: false,
        reason: 'Damaged in transit',
        requestedAt: now(),
      },
      order.orderId,
    );
  },
};

/** A handler set over `provider`, and `deliver`, which runs one like startConsumer does. */
export function saga(db: PaymentsPrisma, provider: PaymentProvider, logger: Logger = silentLogger()) {
  const typed = sagaHandlers({ provider, logger }) as Record<string, ((ctx: EventContext<PaymentsTx, Logger>, event: EventEnvelope) => Promise<void>) | undefined>;
  // Called as (event, tx): each builds the EventContext startConsumer would give it.
  const handlers: Record<string, (event: EventEnvelope, tx: PaymentsTx) => Promise<void>> = {};
  for (const [type, handler] of Object.entries(typed)) {
    if (handler) handlers[type] = (event, tx) => handler(createEventContext({ tx, envelope: event, group: TEST_CONSUMER, logger }), event);
  }
  return {
    handlers,
    /** Processed-events claim + handler in one transaction; 'duplicate' for an event id already handled. */
    deliver(event: EventEnvelope): Promise<'handled' | 'duplicate'> {
      const handler = handlers[event.type];
      if (!handler) throw new Error(`no payments handler for ${event.type}`);
      return db.$transaction(
        async (tx) => {
          const claimed = await tx.$executeRawUnsafe(
            'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
            TEST_CONSUMER,
            event.eventId,
          );
          if (claimed === 0) return 'duplicate' as const;
          await handler(event, tx);
          return 'handled' as const;
        },
        { maxWait: 10_000, timeout: 60_000 },
      );
    },
  };
}

export interface OutboxRow {
  event_type: string;
  aggregate_id: string;
  envelope: { type: string; eventId: string; payload: Record<string, unknown> };
}

export const outboxRows = (db: PaymentsPrisma, orderId: string): Promise<OutboxRow[]> =>
  db.$queryRaw<OutboxRow[]>`SELECT event_type, aggregate_id, envelope FROM outbox_events WHERE aggregate_id = ${orderId} ORDER BY position`;

export const outboxTypes = async (db: PaymentsPrisma, orderId: string): Promise<string[]> =>
  (await outboxRows(db, orderId)).map((row) => row.event_type);

export const paymentOf = (db: PaymentsPrisma, orderId: string) => db.payment.findUniqueOrThrow({ where: { orderId } });

/** The mock's PaymentIntents for one order (we put order_id in their metadata). */
export const intentsOf = (mock: StripeMock, orderId: string) => mock.paymentIntents.filter((pi) => pi.metadata.order_id === orderId);

/** A provider that performs the real call, then "crashes" before our transaction can commit. */
export function crashAfter(provider: PaymentProvider, method: 'authorize' | 'capture' | 'void' | 'refund'): PaymentProvider & { calls: number } {
  const wrapper = {
    name: provider.name,
    calls: 0,
    authorize: provider.authorize.bind(provider),
    capture: provider.capture.bind(provider),
    void: provider.void.bind(provider),
    refund: provider.refund.bind(provider),
  };
  const real = provider[method].bind(provider) as (request: never) => Promise<unknown>;
  (wrapper as Record<string, unknown>)[method] = async (request: never) => {
    await real(request);
    wrapper.calls += 1;
    throw new Error(`simulated crash after ${method}`);
  };
  return wrapper;
}
