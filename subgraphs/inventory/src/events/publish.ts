/**
 * What inventory publishes, on `commerce.stock`. Every function appends to
 * the outbox with the caller's transaction, so an event exists exactly when
 * its change commits; the relay (started by the subgraph) ships the rows to
 * Kafka. Reservation events are keyed by order id (one order's events stay
 * in order); stock-level events by variant id.
 *
 * Lock order: a transaction appends stock-level events only while it holds
 * the variants' row locks (taken in id order), and order events last, so the
 * outbox's per-aggregate advisory locks never close a cycle.
 */
import {
  appendToOutbox,
  StockCommitted,
  StockLevelChanged,
  StockLow,
  StockReleased,
  StockReservationExpired,
  StockReservationFailed,
  StockReserved,
  type StockCommittedPayload,
  type StockLevelChangedPayload,
  type StockLowPayload,
  type StockReleasedPayload,
  type StockReservationExpiredPayload,
  type StockReservationFailedPayload,
  type StockReservedPayload,
  type TraceCarrier,
} from '@commerce/events';
import type { InventoryTx } from '../data/prisma.js';

export const publishStockReserved = (tx: InventoryTx, payload: StockReservedPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockReserved, { aggregateId: payload.orderId, payload, traceContext });

export const publishReservationFailed = (tx: InventoryTx, payload: StockReservationFailedPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockReservationFailed, { aggregateId: payload.orderId, payload, traceContext });

export const publishReservationExpired = (tx: InventoryTx, payload: StockReservationExpiredPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockReservationExpired, { aggregateId: payload.orderId, payload, traceContext });

export const publishStockReleased = (tx: InventoryTx, payload: StockReleasedPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockReleased, { aggregateId: payload.orderId, payload, traceContext });

export const publishStockCommitted = (tx: InventoryTx, payload: StockCommittedPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockCommitted, { aggregateId: payload.orderId, payload, traceContext });

export const publishLevelChanged = (tx: InventoryTx, payload: StockLevelChangedPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockLevelChanged, { aggregateId: payload.variantId, payload, traceContext });

export const publishStockLow = (tx: InventoryTx, payload: StockLowPayload, traceContext: TraceCarrier) =>
  appendToOutbox(tx, StockLow, { aggregateId: payload.variantId, payload, traceContext });
