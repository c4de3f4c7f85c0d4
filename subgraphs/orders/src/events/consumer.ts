/**
 * What the orders subgraph consumes: inventory's and payments' saga events,
 * routed by type to saga.service, user.registered (guest orders placed
 * with the new account's email become its orders) and user.deleted (the
 * account's orders are kept but detached from the person): account.service.
 * startConsumer subscribes to the topics of the handled types
 * (commerce.stock, commerce.payment, commerce.user) and runs each handler
 * in one transaction with the processed_events row, so redelivery is a no-op.
 */
import { kafkaBrokers } from '@commerce/config';
import { startConsumer, type EventConsumer } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { liveRunner, type OrderLive } from '../data/live.js';
import type { OrdersPrisma } from '../data/prisma.js';
import { onUserDeleted, onUserRegistered } from '../service/account.service.js';
import * as saga from '../service/saga.service.js';

export const ORDERS_CONSUMER_GROUP = 'orders';

export interface OrdersConsumerOptions {
  prisma: OrdersPrisma;
  logger: Logger;
  /** Consumer group (and processed_events consumer); default 'orders'. Tests use their own. */
  group?: string;
  brokers?: string[];
  /** Where a new group starts; unset, startConsumer decides (KAFKA_CONSUMER_FROM_BEGINNING, default the oldest retained message). */
  fromBeginning?: boolean;
  /** Where the transitions the saga makes are published after each commit (none when undefined). */
  live?: OrderLive;
}

export function startOrdersConsumer(options: OrdersConsumerOptions): Promise<EventConsumer> {
  const { logger } = options;
  // Each handler gets the EventContext: its transaction and the logger bound with the event's ids.
  return startConsumer({
    group: options.group ?? ORDERS_CONSUMER_GROUP,
    brokers: options.brokers ?? kafkaBrokers(),
    // Each event's transaction publishes the transitions it made once it has committed.
    prisma: liveRunner(options.prisma, options.live),
    logger,
    ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
    // A reaction locks one order row and writes a few rows; 10 s leaves room for a busy pool.
    transactionOptions: { maxWait: 10_000, timeout: 10_000 },
    handlers: {
      'stock.reserved': ({ tx, logger }, event) => saga.onStockReserved(tx, event, logger),
      'stock.reservation_failed': ({ tx, logger }, event) => saga.onStockReservationFailed(tx, event, logger),
      'stock.reservation_expired': ({ tx, logger }, event) => saga.onStockReservationExpired(tx, event, logger),
      'payment.authorized': ({ tx, logger }, event) => saga.onPaymentAuthorized(tx, event, logger),
      'payment.failed': ({ tx, logger }, event) => saga.onPaymentFailed(tx, event, logger),
      'payment.captured': ({ tx, logger }, event) => saga.onPaymentCaptured(tx, event, logger),
      'payment.refunded': ({ tx, logger }, event) => saga.onPaymentRefunded(tx, event, logger),
      'payment.refund_failed': ({ tx, logger }, event) => saga.onPaymentRefundFailed(tx, event, logger),
      'user.registered': ({ tx, logger }, event) => onUserRegistered(tx, event, logger),
      'user.deleted': ({ tx, logger }, event) => onUserDeleted(tx, event, logger),
    },
  });
}
