import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { isoTimestamp, uuid } from './common.js';

/** Reservation events are keyed by orderId; stock-level events by variantId. */
const reservedLine = z.object({ variantId: uuid, warehouseId: uuid, quantity: z.number().int().positive() });

export const stockReservedSchema = z.object({
  orderId: uuid,
  reservationId: uuid,
  lines: z.array(reservedLine).min(1),
  expiresAt: isoTimestamp,
});
/** Step 2 of the saga, success: every line of the order is held until expiresAt. */
export const StockReserved = defineEvent({ type: 'stock.reserved', version: 1, topic: TOPICS.stock, schema: stockReservedSchema });

export const stockReservationFailedSchema = z.object({
  orderId: uuid,
  reason: z.string().min(1),
  shortages: z.array(z.object({ variantId: uuid, requested: z.number().int().positive(), available: z.number().int().nonnegative() })),
});
/** Step 2 of the saga, failure: nothing was reserved (all lines or none). */
export const StockReservationFailed = defineEvent({
  type: 'stock.reservation_failed',
  version: 1,
  topic: TOPICS.stock,
  schema: stockReservationFailedSchema,
});

export const stockReservationExpiredSchema = z.object({ orderId: uuid, reservationId: uuid, expiredAt: isoTimestamp });
/** The order did not confirm in time; the stock is available again. Orders cancels the order. */
export const StockReservationExpired = defineEvent({
  type: 'stock.reservation_expired',
  version: 1,
  topic: TOPICS.stock,
  schema: stockReservationExpiredSchema,
});

export const stockReleasedSchema = z.object({ orderId: uuid, reservationId: uuid, reason: z.string().min(1) });
/** A reservation was given back (order cancelled or payment failed). */
export const StockReleased = defineEvent({ type: 'stock.released', version: 1, topic: TOPICS.stock, schema: stockReleasedSchema });

export const stockCommittedSchema = z.object({ orderId: uuid, reservationId: uuid, lines: z.array(reservedLine).min(1) });
/** The order was confirmed: reserved units left on-hand for good. */
export const StockCommitted = defineEvent({ type: 'stock.committed', version: 1, topic: TOPICS.stock, schema: stockCommittedSchema });

export const stockLevelChangedSchema = z.object({
  variantId: uuid,
  /** Sum over warehouses of on-hand minus reserved. */
  available: z.number().int().nonnegative(),
  inStock: z.boolean(),
  changedAt: isoTimestamp,
});
/** A variant's availability changed (search keeps its in-stock facet from this). */
export const StockLevelChanged = defineEvent({
  type: 'stock.level_changed',
  version: 1,
  topic: TOPICS.stockLevel,
  schema: stockLevelChangedSchema,
});

export const stockLowSchema = z.object({ variantId: uuid, available: z.number().int().nonnegative(), threshold: z.number().int().nonnegative() });
/** Availability fell to or below the variant's configured threshold. */
export const StockLow = defineEvent({ type: 'stock.low', version: 1, topic: TOPICS.stock, schema: stockLowSchema });

export type StockReservedPayload = z.output<typeof stockReservedSchema>;
export type StockReservationFailedPayload = z.output<typeof stockReservationFailedSchema>;
export type StockReservationExpiredPayload = z.output<typeof stockReservationExpiredSchema>;
export type StockReleasedPayload = z.output<typeof stockReleasedSchema>;
export type StockCommittedPayload = z.output<typeof stockCommittedSchema>;
export type StockLevelChangedPayload = z.output<typeof stockLevelChangedSchema>;
export type StockLowPayload = z.output<typeof stockLowSchema>;
