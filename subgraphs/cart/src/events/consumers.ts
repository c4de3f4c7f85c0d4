/**
 * What the cart consumes, in one idempotent consumer (group `cart`; every
 * handler runs in the transaction that records the event as processed):
 *
 * - product.created / product.updated → the variant read model (full snapshot);
 * - product.price_changed → one price in the read model. Carts store no
 *   prices, so the new price shows in every cart holding the variant on its
 *   next read;
 * - order.placed → the ordered lines leave the cart, cart.checked_out is published;
 * - order.cancelled (PAYMENT_FAILED, or CANCELLED before confirmation) → the
 *   order's lines come back into the same cart, once per order.
 */
import { kafkaBrokers } from '@commerce/config';
import { startConsumer, type EventConsumer } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { liveRunner, type CartLive } from '../data/live.js';
import type { CartPrisma } from '../data/prisma.js';
import { applyPriceChange, applyProductSnapshot } from '../data/read-model.js';
import type { CartStore } from '../data/redis-store.js';
import { applyOrderCancelled, applyOrderPlaced } from '../service/checkout.service.js';

export const CART_CONSUMER_GROUP = 'cart';

export interface CartConsumerOptions {
  prisma: CartPrisma;
  store: CartStore;
  logger: Logger;
  /** Default `cart`; tests use their own group so they never move the real one's offsets. */
  group?: string;
  brokers?: string[];
  /**
   * Where a new group starts; unset leaves it to startConsumer (from each
   * topic's start unless KAFKA_CONSUMER_FROM_BEGINNING=false): the read model needs the history.
   */
  fromBeginning?: boolean;
  /** Where a cart emptied by checkout is published after the commit (nowhere when undefined). */
  live?: CartLive;
}

export function startCartConsumer(options: CartConsumerOptions): Promise<EventConsumer> {
  const { store, logger } = options;
  // Each handler gets the EventContext: its transaction, the bound logger and the event's trace context.
  return startConsumer({
    group: options.group ?? CART_CONSUMER_GROUP,
    // Each event's transaction publishes the cart versions it wrote once it has committed.
    prisma: liveRunner(options.prisma, options.live),
    brokers: options.brokers ?? kafkaBrokers(),
    fromBeginning: options.fromBeginning,
    logger,
    handlers: {
      'product.created': ({ tx }, event) => applyProductSnapshot(tx, event.payload),
      'product.updated': ({ tx }, event) => applyProductSnapshot(tx, event.payload),
      'product.price_changed': ({ tx }, event) => applyPriceChange(tx, event.payload),
      'order.placed': ({ tx, logger, traceContext }, event) => applyOrderPlaced({ store, logger, live: options.live }, tx, event.payload, traceContext),
      'order.cancelled': ({ tx, logger }, event) => applyOrderCancelled({ store, logger, live: options.live }, tx, event.payload),
    },
  });
}
