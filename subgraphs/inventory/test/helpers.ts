/**
 * Test harness: the real inventory subgraph on an ephemeral port, over the
 * real ecommerce_inventory_test database, with a Prisma client that records
 * every SQL statement. Relay, consumers and sweeper are off unless a test
 * asks for them; `deliver` runs an event through the real handler exactly as
 * the idempotent consumer does (processed_events row + handler, one
 * transaction), so most tests need no Kafka.
 */
import { randomUUID } from 'node:crypto';
import { databaseUrl } from '@commerce/config';
import { createEventContext, eventRegistry, type EventEnvelope } from '@commerce/events';
import { createLogger } from '@commerce/observability';
import { startSubgraph, type RunningSubgraph } from '@commerce/subgraph-kit';
import { graphql, graphqlOk, tokenFor, type GraphQLResponse, type RequestOptions } from '@commerce/testing';
import type { InventoryServiceContext } from '../src/context.js';
import { WAREHOUSE_IDS } from '../src/data/ids.js';
import { createInventoryPrisma, type InventoryPrisma } from '../src/data/prisma.js';
import { INVENTORY_CONSUMER_GROUP, inventoryEventHandlers, type InventoryEventHandlers } from '../src/events/consumers.js';
import { inventorySubgraph, type InventoryRuntime, type InventorySubgraphOptions } from '../src/subgraph.js';

export { WAREHOUSE_IDS };
export const NEWARK = WAREHOUSE_IDS.newark;
export const BERLIN = WAREHOUSE_IDS.berlin;

export interface TestServer {
  url: string;
  db: InventoryPrisma;
  /** Every SQL statement the subgraph's client sent, in order. */
  queries: string[];
  runtime: InventoryRuntime;
  ctx: InventoryServiceContext;
  handlers: InventoryEventHandlers;
  gql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  ok<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<T>;
  stop(): Promise<void>;
}

export interface TestServerOptions extends Omit<InventorySubgraphOptions, 'prisma' | 'databaseUrl'> {
  /** Pool size of the subgraph's client (default 10). */
  maxConnections?: number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const queries: string[] = [];
  const { maxConnections, ...subgraphOptions } = options;
  const db = createInventoryPrisma({
    databaseUrl: databaseUrl('inventory', 'test'),
    onQuery: (sql) => queries.push(sql),
    ...(maxConnections ? { maxConnections } : {}),
  });
  const definition = inventorySubgraph({
    prisma: db,
    relay: false,
    consumers: false,
    sweeper: false,
    liveConsumer: false,
    logger: createLogger({ service: 'inventory-test' }),
    ...subgraphOptions,
  });
  const running: RunningSubgraph = await startSubgraph(definition, { port: 0 });
  const ctx = definition.runtime.serviceContext;
  return {
    url: running.url,
    db,
    queries,
    runtime: definition.runtime,
    ctx,
    handlers: inventoryEventHandlers(ctx),
    gql: (query, opts) => graphql(running.url, query, opts),
    ok: (query, opts) => graphqlOk(running.url, query, opts),
    async stop() {
      await running.stop();
      await db.$disconnect();
    },
  };
}

/**
 * Every inventory table but the seeded warehouses, emptied; each test file
 * starts from nothing. The outbox sequence is kept, as in the events tests:
 * positions never repeat, whatever a relay recorded earlier.
 */
export async function truncateAll(db: InventoryPrisma): Promise<void> {
  await db.$executeRawUnsafe(
    'TRUNCATE variants, stock_levels, reservations, reservation_lines, stock_movements, audit_entries, outbox_events, processed_events CASCADE',
  );
}

type HandledType = keyof InventoryEventHandlers;

/** A valid envelope of `type`, validated against the registry exactly as the consumer validates. */
export function envelope<T extends HandledType>(type: T, payload: unknown, aggregateId: string, eventId: string = randomUUID()) {
  const raw: EventEnvelope = { eventId, type, version: 1, occurredAt: new Date().toISOString(), aggregateId, payload };
  const parsed = eventRegistry.parseEnvelope(raw);
  if (!parsed.ok) throw parsed.error;
  return parsed.envelope as Parameters<InventoryEventHandlers[T]>[1];
}

/**
 * Runs one event through its handler the way startConsumer does: claim the
 * event id in processed_events and run the handler, in one transaction.
 * 'duplicate' when this event id was handled before.
 */
export async function deliver<T extends HandledType>(
  server: TestServer,
  event: Parameters<InventoryEventHandlers[T]>[1] & { type: T },
): Promise<'handled' | 'duplicate'> {
  const handler = server.handlers[event.type] as (ctx: Parameters<InventoryEventHandlers[T]>[0], e: typeof event) => Promise<void>;
  return server.db.$transaction(
    async (tx) => {
      const claimed = await tx.$executeRawUnsafe(
        'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
        INVENTORY_CONSUMER_GROUP,
        event.eventId,
      );
      if (claimed === 0) return 'duplicate';
      await handler(createEventContext({ tx, envelope: event, group: INVENTORY_CONSUMER_GROUP, logger: server.ctx.logger }), event);
      return 'handled';
    },
    { maxWait: 60_000, timeout: 60_000 },
  );
}

// ---------------------------------------------------------------- event factories

export interface TestProduct {
  productId: string;
  variantIds: string[];
}

let skuCounter = 0;

/** A product snapshot (catalog's product.created payload) with `variants` variants. */
export function productSnapshot(variants = 1, product: Partial<TestProduct> = {}) {
  const productId = product.productId ?? randomUUID();
  const variantIds = product.variantIds ?? Array.from({ length: variants }, () => randomUUID());
  const now = new Date().toISOString();
  return {
    productId,
    slug: `p-${productId.slice(0, 8)}`,
    name: 'Test product',
    description: '',
    brand: null,
    status: 'ACTIVE' as const,
    categoryId: randomUUID(),
    categoryPath: [],
    images: [],
    variants: variantIds.map((variantId) => ({
      variantId,
      sku: `INV-${process.pid}-${++skuCounter}`,
      name: 'Default',
      options: [],
      prices: [{ currency: 'USD', amountMinor: 1000 }],
    })),
    ratingAverage: null,
    ratingCount: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Delivers product.created and returns the ids. */
export async function createProduct(server: TestServer, variants = 1): Promise<TestProduct> {
  const snapshot = productSnapshot(variants);
  await deliver(server, envelope('product.created', snapshot, snapshot.productId));
  return { productId: snapshot.productId, variantIds: snapshot.variants.map((v) => v.variantId) };
}

export function orderPlacedPayload(lines: { variantId: string; quantity: number; productId?: string }[], orderId: string = randomUUID()) {
  return {
    orderId,
    userId: randomUUID(),
    cartId: randomUUID(),
    currency: 'USD',
    lines: lines.map((line) => ({
      lineId: randomUUID(),
      productId: line.productId ?? randomUUID(),
      variantId: line.variantId,
      sku: 'SKU',
      name: 'Thing',
      quantity: line.quantity,
      unitPriceMinor: 1000,
      lineTotalMinor: 1000 * line.quantity,
    })),
    subtotalMinor: 1000,
    discountMinor: 0,
    taxMinor: 0,
    shippingMinor: 0,
    totalMinor: 1000,
    paymentMethodToken: 'pm_card_visa',
    placedAt: new Date().toISOString(),
  };
}

export const orderPlaced = (lines: { variantId: string; quantity: number }[], orderId: string = randomUUID()) =>
  envelope('order.placed', orderPlacedPayload(lines, orderId), orderId);

export const orderConfirmed = (orderId: string) =>
  envelope(
    'order.confirmed',
    { orderId, userId: randomUUID(), currency: 'USD', totalMinor: 1000, confirmedAt: new Date().toISOString() },
    orderId,
  );

export const orderCancelled = (orderId: string, from = 'PENDING', reason = 'customer changed their mind') =>
  envelope(
    'order.cancelled',
    { orderId, userId: randomUUID(), from, to: 'CANCELLED', reason, cancelledAt: new Date().toISOString() },
    orderId,
  );

export const orderRefunded = (orderId: string, lines: { variantId: string; quantity: number }[], restock = true) =>
  envelope(
    'order.refunded',
    {
      orderId,
      userId: randomUUID(),
      refundRequestId: randomUUID(),
      currency: 'USD',
      amountMinor: 500,
      restock,
      lines,
      refundedAt: new Date().toISOString(),
    },
    orderId,
  );

// ---------------------------------------------------------------- reading state

export interface StockRow {
  warehouseId: string;
  onHand: number;
  reserved: number;
}

export async function stockRows(db: InventoryPrisma, variantId: string): Promise<StockRow[]> {
  return db.$queryRaw<StockRow[]>`
    SELECT warehouse_id::text AS "warehouseId", on_hand AS "onHand", reserved
      FROM stock_levels WHERE variant_id = ${variantId}::uuid ORDER BY warehouse_id`;
}

export async function totals(db: InventoryPrisma, variantId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  const rows = await stockRows(db, variantId);
  const onHand = rows.reduce((sum, row) => sum + row.onHand, 0);
  const reserved = rows.reduce((sum, row) => sum + row.reserved, 0);
  return { onHand, reserved, available: onHand - reserved };
}

/** Puts exactly these units on hand (no reservations) straight into the table, bypassing the services. */
export async function setStock(db: InventoryPrisma, variantId: string, units: Partial<Record<string, number>>): Promise<void> {
  for (const [warehouseId, onHand] of Object.entries(units)) {
    await db.$executeRaw`
      INSERT INTO stock_levels (variant_id, warehouse_id, on_hand, reserved, updated_at)
      VALUES (${variantId}::uuid, ${warehouseId}::uuid, ${onHand ?? 0}::int, 0, now())
      ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, reserved = 0`;
  }
  const { available } = await totals(db, variantId);
  await db.$executeRaw`UPDATE variants SET available = ${available}::int WHERE id = ${variantId}::uuid`;
}

export interface OutboxRow {
  position: bigint;
  event_type: string;
  aggregate_id: string;
  envelope: { eventId: string; type: string; aggregateId: string; payload: Record<string, unknown>; traceparent?: string };
}

export async function outboxRows(db: InventoryPrisma, filter: { type?: string; aggregateId?: string } = {}): Promise<OutboxRow[]> {
  const rows = await db.$queryRaw<OutboxRow[]>`
    SELECT position, event_type, aggregate_id, envelope FROM outbox_events ORDER BY position`;
  return rows.filter(
    (row) => (!filter.type || row.event_type === filter.type) && (!filter.aggregateId || row.aggregate_id === filter.aggregateId),
  );
}

export async function reservationOf(db: InventoryPrisma, orderId: string) {
  return db.reservation.findUnique({ where: { orderId }, include: { lines: { orderBy: [{ variantId: 'asc' }, { warehouseId: 'asc' }] } } });
}

export interface Tokens {
  admin: string;
  /** The admin's user id (the actor of what `admin` changes). */
  adminId: string;
  customer: string;
}

export async function tokens(): Promise<Tokens> {
  const admin = await tokenFor({ roles: ['ADMIN'] });
  const customer = await tokenFor({ roles: ['CUSTOMER'] });
  return { admin: admin.token, adminId: admin.userId, customer: customer.token };
}
