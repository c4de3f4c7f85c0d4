/**
 * Hand-written SQL for what Prisma's query builder cannot express in one
 * statement:
 * - "the newest N orders of each user" for a whole batch of users (a LATERAL
 *   join over the (user_id, id) index). It returns ids only; the rows come
 *   from one `findMany` by id, so a page of orders for any number of users
 *   costs two statements;
 * - an order row read under its row lock (SELECT … FOR UPDATE);
 * - a status change and its timeline rows in one statement;
 * - a placed order with its lines and first timeline row in one statement.
 */
import { timeOrderedUuid } from '@commerce/subgraph-kit';
import { Prisma, type Order, type OrderLine, type OrderStatus } from '../generated/prisma/client.js';
import type { OrdersDb, OrdersTx } from './prisma.js';

/** The timeline actor of a guest's own action (placement). */
export const GUEST_ACTOR = 'guest';

/** The key a batched row belongs to. */
export type Keyed<T> = T & { key: string };

/**
 * Ids of each user's orders, newest first (id DESC: uuid v7 ids are
 * time-ordered), at most `limit` per user, strictly older than `afterId` when given.
 */
export async function orderIdsOfUsers(
  db: OrdersDb,
  userIds: readonly string[],
  limit: number,
  afterId: string | null,
): Promise<Keyed<{ id: string }>[]> {
  if (userIds.length === 0) return [];
  return db.$queryRaw<Keyed<{ id: string }>[]>`
    SELECT users.user_id::text AS "key", o.id::text AS "id"
    FROM unnest(${userIds}::uuid[]) AS users(user_id)
    CROSS JOIN LATERAL (
      SELECT orders.id FROM orders
      WHERE orders.user_id = users.user_id
        AND (${afterId}::uuid IS NULL OR orders.id < ${afterId}::uuid)
      ORDER BY orders.id DESC
      LIMIT ${limit}
    ) o
    ORDER BY 1, o.id DESC`;
}

/** How many orders each of the users has (users with none are left out), in one grouped statement. */
export async function orderCountsOfUsers(db: OrdersDb, userIds: readonly string[]): Promise<Keyed<{ count: number }>[]> {
  if (userIds.length === 0) return [];
  return db.$queryRaw<Keyed<{ count: number }>[]>`
    SELECT user_id::text AS "key", count(*)::int AS "count"
    FROM orders WHERE user_id = ANY(${userIds}::uuid[])
    GROUP BY user_id`;
}

/** An orders row as `lockOrderRow` selects it: uuids as text, the status enum as text, timestamptz as Date. */
interface OrderRow {
  id: string;
  number: number;
  user_id: string | null;
  email: string | null;
  account_deleted_at: Date | null;
  cart_id: string;
  idempotency_key: string;
  status: OrderStatus;
  status_reason: string | null;
  version: number;
  currency: string;
  subtotal_minor: number;
  discount_minor: number;
  tax_minor: number;
  shipping_minor: number;
  total_minor: number;
  discount_code: string | null;
  ship_full_name: string;
  ship_line1: string;
  ship_line2: string | null;
  ship_city: string;
  ship_region: string | null;
  ship_postal_code: string;
  ship_country_code: string;
  ship_phone: string | null;
  tracking_number: string | null;
  captured_minor: number;
  captured_at: Date | null;
  refunded_minor: number;
  placed_at: Date;
  updated_at: Date;
}

/** The orders columns as OrderRow names them; every raw statement returning orders selects these. */
const ORDER_COLUMNS = Prisma.raw(`id::text AS id, number, user_id::text AS user_id, email, account_deleted_at, cart_id::text AS cart_id, idempotency_key, status::text AS status,
  status_reason, version, currency, subtotal_minor, discount_minor, tax_minor, shipping_minor, total_minor, discount_code,
  ship_full_name, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country_code, ship_phone,
  tracking_number, captured_minor, captured_at, refunded_minor, placed_at, updated_at`);

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  number: row.number,
  userId: row.user_id,
  email: row.email,
  accountDeletedAt: row.account_deleted_at,
  cartId: row.cart_id,
  idempotencyKey: row.idempotency_key,
  status: row.status,
  statusReason: row.status_reason,
  version: row.version,
  currency: row.currency,
  subtotalMinor: row.subtotal_minor,
  discountMinor: row.discount_minor,
  taxMinor: row.tax_minor,
  shippingMinor: row.shipping_minor,
  totalMinor: row.total_minor,
  discountCode: row.discount_code,
  shipFullName: row.ship_full_name,
  shipLine1: row.ship_line1,
  shipLine2: row.ship_line2,
  shipCity: row.ship_city,
  shipRegion: row.ship_region,
  shipPostalCode: row.ship_postal_code,
  shipCountryCode: row.ship_country_code,
  shipPhone: row.ship_phone,
  trackingNumber: row.tracking_number,
  capturedMinor: row.captured_minor,
  capturedAt: row.captured_at,
  refundedMinor: row.refunded_minor,
  placedAt: row.placed_at,
  updatedAt: row.updated_at,
});

/**
 * The whole order row, locked FOR UPDATE until the transaction ends; null
 * when there is no such order. One statement: Prisma cannot lock, and locking
 * first then reading the row with findUnique cost two.
 */
export async function lockOrderRow(tx: OrdersTx, orderId: string): Promise<Order | null> {
  const rows = await tx.$queryRaw<OrderRow[]>`
    SELECT ${ORDER_COLUMNS}
    FROM orders WHERE id = ${orderId}::uuid FOR UPDATE`;
  const row = rows[0];
  return row ? toOrder(row) : null;
}

/** One step of a status change, as its timeline row records it. */
export interface TimelineStep {
  from: OrderStatus;
  to: OrderStatus;
  reason: string | null;
  /** The order's version after the step (the timeline's seq). */
  version: number;
}

export interface StatusChange {
  orderId: string;
  /** The row must still be at this version and status (guards against a stale read). */
  expectedVersion: number;
  expectedStatus: OrderStatus;
  /** Steps in order; the last one is the status the row ends in. */
  steps: readonly TimelineStep[];
  actor: string;
  at: Date;
  /** Set with SHIPPED; otherwise the column is left as it is. */
  trackingNumber?: string;
}

/**
 * Moves the order to the last step's status and writes a timeline row for
 * every step, in one statement; returns the updated row, or null when the row
 * is no longer at the expected version and status (nothing is written then).
 */
export async function changeStatus(tx: OrdersTx, change: StatusChange): Promise<Order | null> {
  const last = change.steps.at(-1);
  if (!last) throw new Error(`No status change given for order ${change.orderId}`);
  const rows = await tx.$queryRaw<OrderRow[]>`
    WITH updated AS (
      UPDATE orders
         SET status = ${last.to}::text::"OrderStatus", status_reason = ${last.reason}, version = ${last.version},
             tracking_number = COALESCE(${change.trackingNumber ?? null}::text, tracking_number), updated_at = now()
       WHERE id = ${change.orderId}::uuid AND version = ${change.expectedVersion} AND status = ${change.expectedStatus}::text::"OrderStatus"
      RETURNING *
    ), timeline AS (
      INSERT INTO order_transitions (id, order_id, seq, from_status, to_status, reason, actor, at)
      SELECT step.id, updated.id, step.seq, step.from_status::"OrderStatus", step.to_status::"OrderStatus", step.reason, ${change.actor}, ${change.at}
        FROM updated
       CROSS JOIN unnest(${change.steps.map(() => timeOrderedUuid())}::uuid[], ${change.steps.map((step) => step.version)}::int[],
                         ${change.steps.map((step) => step.from)}::text[], ${change.steps.map((step) => step.to)}::text[],
                         ${change.steps.map((step) => step.reason)}::text[]) AS step(id, seq, from_status, to_status, reason)
    )
    SELECT ${ORDER_COLUMNS} FROM updated`;
  const row = rows[0];
  return row ? toOrder(row) : null;
}

/** What placeOrder snapshots: the order's columns and its lines, in cart order. */
export interface PlacedOrderInput {
  /** Null for a guest order. */
  userId: string | null;
  /** The contact email, lower-cased. */
  email: string;
  cartId: string;
  idempotencyKey: string;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  totalMinor: number;
  discountCode: string | null;
  shipFullName: string;
  shipLine1: string;
  shipLine2: string | null;
  shipCity: string;
  shipRegion: string | null;
  shipPostalCode: string;
  shipCountryCode: string;
  shipPhone: string | null;
  placedAt: Date;
  lines: readonly Pick<OrderLine, 'variantId' | 'productId' | 'sku' | 'title' | 'quantity' | 'unitPriceMinor' | 'lineTotalMinor'>[];
}

/**
 * Inserts a PENDING order, its lines and its placement timeline row
 * (null → PENDING, by the customer, or "guest") in one statement. The lines are returned
 * as written, in position order. A second order with the same
 * (user_id, idempotency_key), or (cart_id, idempotency_key), fails with a unique violation (isUniqueViolation).
 */
export async function insertPlacedOrder(tx: OrdersTx, input: PlacedOrderInput): Promise<{ order: Order; lines: OrderLine[] }> {
  const orderId = timeOrderedUuid(input.placedAt.getTime());
  const lines: OrderLine[] = input.lines.map((line, position) => ({
    id: timeOrderedUuid(input.placedAt.getTime()),
    orderId,
    position,
    variantId: line.variantId,
    productId: line.productId,
    sku: line.sku,
    title: line.title,
    quantity: line.quantity,
    unitPriceMinor: line.unitPriceMinor,
    lineTotalMinor: line.lineTotalMinor,
    returnedQuantity: 0,
    refundedQuantity: 0,
  }));
  const rows = await tx.$queryRaw<OrderRow[]>`
    WITH placed AS (
      INSERT INTO orders (id, user_id, email, cart_id, idempotency_key, status, version, currency, subtotal_minor, discount_minor, tax_minor,
                          shipping_minor, total_minor, discount_code, ship_full_name, ship_line1, ship_line2, ship_city, ship_region,
                          ship_postal_code, ship_country_code, ship_phone, placed_at, updated_at)
      VALUES (${orderId}::uuid, ${input.userId}::uuid, ${input.email}, ${input.cartId}::uuid, ${input.idempotencyKey}, 'PENDING', 1, ${input.currency},
              ${input.subtotalMinor}, ${input.discountMinor}, ${input.taxMinor}, ${input.shippingMinor}, ${input.totalMinor},
              ${input.discountCode}, ${input.shipFullName}, ${input.shipLine1}, ${input.shipLine2}, ${input.shipCity}, ${input.shipRegion},
              ${input.shipPostalCode}, ${input.shipCountryCode}, ${input.shipPhone}, ${input.placedAt}, ${input.placedAt})
      RETURNING *
    ), placed_lines AS (
      INSERT INTO order_lines (id, order_id, position, variant_id, product_id, sku, title, quantity, unit_price_minor, line_total_minor)
      SELECT line.id, placed.id, line.position, line.variant_id, line.product_id, line.sku, line.title, line.quantity, line.unit_price, line.line_total
        FROM placed
       CROSS JOIN unnest(${lines.map((line) => line.id)}::uuid[], ${lines.map((line) => line.position)}::int[],
                         ${lines.map((line) => line.variantId)}::uuid[], ${lines.map((line) => line.productId)}::uuid[],
                         ${lines.map((line) => line.sku)}::text[], ${lines.map((line) => line.title)}::text[],
                         ${lines.map((line) => line.quantity)}::int[], ${lines.map((line) => line.unitPriceMinor)}::int[],
                         ${lines.map((line) => line.lineTotalMinor)}::int[])
             AS line(id, position, variant_id, product_id, sku, title, quantity, unit_price, line_total)
    ), placement AS (
      INSERT INTO order_transitions (id, order_id, seq, from_status, to_status, reason, actor, at)
      SELECT ${timeOrderedUuid(input.placedAt.getTime())}::uuid, placed.id, 1, NULL, 'PENDING', NULL, ${input.userId ?? GUEST_ACTOR}, ${input.placedAt} FROM placed
    )
    SELECT ${ORDER_COLUMNS} FROM placed`;
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING gave no order row');
  return { order: toOrder(row), lines };
}

/**
 * Attaches the guest orders placed with `email` to the account `userId` (a
 * registration with that email); returns the ids attached. An order whose
 * idempotency key the account already used stays a guest order (the unique
 * (user_id, idempotency_key) index; client keys are random, so this is a
 * theoretical case). Running it again attaches nothing more.
 */
export async function attachGuestOrders(tx: OrdersTx, userId: string, email: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE orders AS guest SET user_id = ${userId}::uuid
     WHERE guest.email = ${email} AND guest.user_id IS NULL AND guest.account_deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM orders mine WHERE mine.user_id = ${userId}::uuid AND mine.idempotency_key = guest.idempotency_key)
    RETURNING guest.id::text AS id`;
  return rows.map((row) => row.id);
}

/**
 * Detaches every order of a deleted account (user.deleted): user_id and the
 * contact email are cleared, account_deleted_at is set, and the orders (lines,
 * amounts, shipping address, timeline, refunds) stay for accounting. Neither
 * `version` nor the timeline changes: this is no status transition. Returns
 * the ids detached; running it again detaches nothing more.
 */
export async function detachOrdersOfUser(tx: OrdersTx, userId: string, deletedAt: Date): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE orders SET user_id = NULL, email = NULL, account_deleted_at = ${deletedAt}, updated_at = now()
     WHERE user_id = ${userId}::uuid
    RETURNING id::text AS id`;
  return rows.map((row) => row.id);
}
