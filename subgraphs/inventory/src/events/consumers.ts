/**
 * What inventory consumes, as one idempotent consumer group ('inventory'):
 *
 *   product.created / product.updated → variant read model, initial stock
 *   order.placed    → reserve all lines or none     → stock.reserved | stock.reservation_failed
 *   order.confirmed → commit the reservation        → stock.committed (or stock.reservation_failed)
 *   order.cancelled → release (or restock)          → stock.released
 *   order.refunded  → with restock: units back on hand
 *
 * startConsumer runs each handler in one transaction together with the
 * event's processed_events row, so a redelivered event is skipped and a
 * handler that throws leaves nothing behind (it is retried, then
 * dead-lettered). The handlers only translate payloads; the rules are in
 * service/reservation.service.ts and service/variant.service.ts.
 */
import {
  startConsumer,
  type DomainEventDefinition,
  type EnvelopeForType,
  type EventConsumer,
  type EventContext,
  type EventLogger,
  type EventRegistry,
} from '@commerce/events';
import type { InventoryServiceContext } from '../context.js';
import type { InventoryTx } from '../data/prisma.js';
import { commitForOrder, releaseForOrder, reserveForOrder, restockRefund } from '../service/reservation.service.js';
import { syncProductVariants } from '../service/variant.service.js';

export const INVENTORY_CONSUMER_GROUP = 'inventory';

type Handler<T extends DomainEventDefinition['type']> = (
  ctx: EventContext<InventoryTx>,
  envelope: EnvelopeForType<DomainEventDefinition, T>,
) => Promise<void>;

export interface InventoryEventHandlers {
  'product.created': Handler<'product.created'>;
  'product.updated': Handler<'product.updated'>;
  'order.placed': Handler<'order.placed'>;
  'order.confirmed': Handler<'order.confirmed'>;
  'order.cancelled': Handler<'order.cancelled'>;
  'order.refunded': Handler<'order.refunded'>;
}

/**
 * The service context for one event: its id on every log line, its trace
 * context on every event it causes. The services log through the subgraph's
 * logger (the consumer's may be another), bound here as before.
 */
function serviceContext(base: InventoryServiceContext, ctx: EventContext<InventoryTx>): InventoryServiceContext {
  return { ...base, logger: base.logger.child({ eventId: ctx.eventId, eventType: ctx.eventType }), traceContext: ctx.traceContext };
}

export function inventoryEventHandlers(base: InventoryServiceContext): InventoryEventHandlers {
  return {
    'product.created': async (ctx, event) => {
      await syncProductVariants(serviceContext(base, ctx), ctx.tx, event.payload);
    },
    'product.updated': async (ctx, event) => {
      await syncProductVariants(serviceContext(base, ctx), ctx.tx, event.payload);
    },
    'order.placed': async (ctx, event) => {
      const { orderId, lines } = event.payload;
      await reserveForOrder(serviceContext(base, ctx), ctx.tx, { orderId, lines });
    },
    'order.confirmed': async (ctx, event) => {
      await commitForOrder(serviceContext(base, ctx), ctx.tx, event.payload.orderId);
    },
    'order.cancelled': async (ctx, event) => {
      const { orderId, to, reason } = event.payload;
      const why = to === 'PAYMENT_FAILED' ? `payment failed: ${reason}` : `order cancelled: ${reason}`;
      await releaseForOrder(serviceContext(base, ctx), ctx.tx, orderId, why);
    },
    'order.refunded': async (ctx, event) => {
      const { orderId, refundRequestId, restock, lines } = event.payload;
      await restockRefund(serviceContext(base, ctx), ctx.tx, { orderId, refundRequestId, restock, lines });
    },
  };
}

export interface InventoryConsumerOptions {
  /** Consumer group (default 'inventory'). */
  group?: string;
  brokers?: string[];
  /** Where event types are read from (tests pass per-run topics); default: every domain event. */
  registry?: EventRegistry<DomainEventDefinition>;
  logger?: EventLogger;
  fromBeginning?: boolean;
}

export function startInventoryConsumers(base: InventoryServiceContext, options: InventoryConsumerOptions = {}): Promise<EventConsumer> {
  return startConsumer({
    group: options.group ?? INVENTORY_CONSUMER_GROUP,
    prisma: base.prisma,
    handlers: inventoryEventHandlers(base),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.brokers ? { brokers: options.brokers } : {}),
    ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
    logger: options.logger ?? base.logger,
    // Reservations wait for row locks under contention; the defaults (2 s / 5 s) are for request paths.
    transactionOptions: { maxWait: 10_000, timeout: 30_000 },
    // One transaction per event: reservations lock hot stock rows (a few
    // variants sell to every shopper), and a chunk of several orders would
    // hold all their variants' locks at once, serialising the partitions or
    // deadlocking them.
    maxEventsPerTransaction: 1,
  });
}
