import type { OrderPlacedPayload } from '@commerce/events';
import type { NotificationsDb, UserContact } from '../data/prisma.js';
import type { OrderSummary } from '../templates/index.js';

/**
 * ReadModelService: what notifications knows about users and orders, built
 * only from events (never from another domain's database). Contacts come
 * from user.registered and are refreshed by password-reset requests (which
 * carry the current email and name); order snapshots from order.placed.
 */

export async function recordContact(db: NotificationsDb, contact: { userId: string; email: string; name: string }): Promise<void> {
  const email = contact.email.toLowerCase();
  await db.userContact.upsert({
    where: { userId: contact.userId },
    create: { userId: contact.userId, email, name: contact.name },
    update: { email, name: contact.name },
  });
}

export function contactOf(db: NotificationsDb, userId: string): Promise<UserContact | null> {
  return db.userContact.findUnique({ where: { userId } });
}

/** Stores the order as placed; a redelivered order.placed (another event id) changes nothing. */
export async function recordOrder(db: NotificationsDb, order: OrderPlacedPayload): Promise<void> {
  const snapshot = {
    // Null for a guest order (no account).
    userId: order.userId,
    currency: order.currency,
    lines: order.lines,
    subtotalMinor: order.subtotalMinor,
    discountMinor: order.discountMinor,
    taxMinor: order.taxMinor,
    shippingMinor: order.shippingMinor,
    totalMinor: order.totalMinor,
    placedAt: new Date(order.placedAt),
    orderNumber: order.orderNumber ?? null,
    email: order.email?.toLowerCase() ?? null,
  };
  // INSERT … ON CONFLICT DO NOTHING: an order is placed once; its snapshot never changes.
  await db.orderSnapshot.createMany({ data: [{ orderId: order.orderId, ...snapshot }], skipDuplicates: true });
}

/** The order's number, buyer and contact email as placed, or null when order.placed was never seen. */
export function orderRefsOf(
  db: NotificationsDb,
  orderId: string,
): Promise<{ orderNumber: string | null; userId: string | null; email: string | null } | null> {
  return db.orderSnapshot.findUnique({ where: { orderId }, select: { orderNumber: true, userId: true, email: true } });
}

interface StoredLine {
  name?: unknown;
  sku?: unknown;
  quantity?: unknown;
  unitPriceMinor?: unknown;
  lineTotalMinor?: unknown;
}

/** The order as templates render it, or null when order.placed was never seen. */
export async function orderSummaryOf(db: NotificationsDb, orderId: string): Promise<OrderSummary | null> {
  const order = await db.orderSnapshot.findUnique({ where: { orderId } });
  if (!order) return null;
  const lines = Array.isArray(order.lines) ? (order.lines as StoredLine[]) : [];
  return {
    orderId: order.orderId,
    currency: order.currency,
    lines: lines.map((line) => ({
      name: String(line.name ?? ''),
      sku: String(line.sku ?? ''),
      quantity: Number(line.quantity ?? 0),
      unitPriceMinor: Number(line.unitPriceMinor ?? 0),
      lineTotalMinor: Number(line.lineTotalMinor ?? 0),
    })),
    subtotalMinor: order.subtotalMinor,
    discountMinor: order.discountMinor,
    taxMinor: order.taxMinor,
    shippingMinor: order.shippingMinor,
    totalMinor: order.totalMinor,
  };
}
