/**
 * What payments consumes: the order and stock events of the checkout saga,
 * routed by type to payment.service. startConsumer subscribes to their topics
 * (commerce.order, commerce.stock) and runs each handler in one transaction
 * with its processed_events row, so a redelivered event is a no-op; a handler
 * retried after a failure calls the provider again with the same idempotency
 * keys and gets the same answer.
 */
import { kafkaBrokers } from '@commerce/config';
import { startConsumer, type DomainEventDefinition, type EventConsumer, type EventContext, type EventHandlers } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { PaymentsPrisma, PaymentsTx } from '../data/prisma.js';
import * as payments from '../service/payment.service.js';
import type { PaymentProvider } from '../service/providers/payment-provider.js';

export const PAYMENTS_CONSUMER_GROUP = 'payments';

export interface SagaDependencies {
  provider: PaymentProvider;
  logger: Logger;
}

/**
 * The handlers by event type; tests call them directly (with createEventContext)
 * to replay deliveries. The logger is the EventContext's, bound to the event.
 */
export function sagaHandlers({ provider }: SagaDependencies): EventHandlers<DomainEventDefinition, PaymentsTx, Logger> {
  // The saga's service context: the EventContext's transaction, bound logger and trace context, plus the provider.
  const ctx = ({ tx, logger, traceContext }: EventContext<PaymentsTx, Logger>): payments.SagaContext => ({ tx, provider, logger, traceContext });
  return {
    'order.placed': (eventCtx, event) => payments.onOrderPlaced(ctx(eventCtx), event.payload),
    'stock.reserved': (eventCtx, event) => payments.onStockReserved(ctx(eventCtx), event.payload),
    'stock.reservation_failed': (eventCtx, event) => payments.onStockReservationFailed(ctx(eventCtx), event.payload),
    'order.confirmed': (eventCtx, event) => payments.onOrderConfirmed(ctx(eventCtx), event.payload),
    'order.cancelled': (eventCtx, event) => payments.onOrderCancelled(ctx(eventCtx), event.payload),
    'order.refund_requested': (eventCtx, event) => payments.onRefundRequested(ctx(eventCtx), event.payload),
  };
}

export interface PaymentsConsumerOptions extends SagaDependencies {
  prisma: PaymentsPrisma;
  /** Consumer group (and processed_events consumer); default 'payments'. Tests use their own. */
  group?: string;
  brokers?: string[];
  /** Whether a new group starts at the oldest retained message; unset, startConsumer's default (KAFKA_CONSUMER_FROM_BEGINNING, else true). */
  fromBeginning?: boolean;
  /** Handler attempts before dead-lettering (default 5). */
  maxAttempts?: number;
}

export function startPaymentsConsumer(options: PaymentsConsumerOptions): Promise<EventConsumer> {
  return startConsumer({
    group: options.group ?? PAYMENTS_CONSUMER_GROUP,
    brokers: options.brokers ?? kafkaBrokers(),
    prisma: options.prisma,
    logger: options.logger,
    ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    // The row lock is held across the provider call (stripe-node: 15 s timeout, 2 retries).
    transactionOptions: { maxWait: 10_000, timeout: 60_000 },
    handlers: sagaHandlers(options),
  });
}
