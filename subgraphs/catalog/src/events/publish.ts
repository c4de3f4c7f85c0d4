/**
 * What the catalog publishes. Every function here appends to the outbox with
 * the caller's transaction, so an event exists exactly when its change
 * commits; the relay (started by the subgraph) ships outbox rows to Kafka.
 * Events are keyed by product id, so one product's events stay in order,
 * and carry the trace context of the request that caused them.
 *
 * Reviews do not publish product.updated: the rating aggregate changes with
 * every review, and consumers that show ratings read them from this subgraph
 * through the graph. Snapshots still carry the aggregate as of their change.
 */
import { appendToOutbox, ProductCreated, ProductPriceChanged, ProductUpdated, type TraceCarrier } from '@commerce/events';
import type { CatalogTx } from '../data/prisma.js';
import { buildProductSnapshot } from './product-snapshot.js';

export async function publishProductCreated(tx: CatalogTx, productId: string, traceContext: TraceCarrier): Promise<void> {
  const payload = await buildProductSnapshot(tx, productId);
  await appendToOutbox(tx, ProductCreated, { aggregateId: productId, payload, traceContext });
}

export async function publishProductUpdated(tx: CatalogTx, productId: string, traceContext: TraceCarrier): Promise<void> {
  const payload = await buildProductSnapshot(tx, productId);
  await appendToOutbox(tx, ProductUpdated, { aggregateId: productId, payload, traceContext });
}

export interface PriceChange {
  productId: string;
  variantId: string;
  sku: string;
  currency: string;
  /** Null when the variant had no price in this currency before. */
  previousAmountMinor: number | null;
  amountMinor: number;
}

export async function publishPriceChanged(tx: CatalogTx, change: PriceChange, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, ProductPriceChanged, { aggregateId: change.productId, payload: change, traceContext });
}
