/**
 * Refunds: an admin asks for one (full or partial, with or without restock),
 * payments carries it out, and the order records the outcome. Use this
 * service for anything that changes what was refunded on an order.
 *
 *   refundOrder ─► refund_requests row (REQUESTED) + order.refund_requested
 *   payment.refunded ─► row SUCCEEDED, orders.refunded_minor, order.refunded {restock, lines}
 *                        and REFUNDED once everything captured is refunded
 *   payment.refund_failed ─► row FAILED, its units no longer count as returned
 *
 * The amount can never exceed what was captured minus what was refunded or is
 * already requested (checked under the order's row lock, so two admins cannot
 * both refund the last remaining amount). Restocked units are counted on the
 * order lines when requested, so the same unit is never returned twice.
 *
 * Refund by line: the admin names lines and quantities; the amount defaults to
 * their unit prices × quantities (the prices the order was placed with), and
 * the units are counted in `refunded_quantity` so a unit is never refunded
 * twice by line. With restock the same units go back to stock; without, they
 * stay with the customer (inventory hears nothing about them).
 *
 * Each admin refund leaves an audit entry in its transaction (audit.service).
 */
import { badInput } from '@commerce/errors';
import type { TraceCarrier } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { OrdersContext } from '../context.js';
import type { Order, OrderLine, OrderStatus, RefundRequest } from '../generated/prisma/client.js';
import type { OrdersTx } from '../data/prisma.js';
import { publishRefunded, publishRefundRequested } from '../events/publish.js';
import { recordAudit } from './audit.service.js';
import { withLockedOrder } from './fulfilment.service.js';
import { canTransition, invalidTransition, SYSTEM, transitionOrder } from './order-state-machine.js';
import { requireText } from './validation.js';

/** Statuses in which money was captured and an admin may refund. */
export const REFUNDABLE: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['CONFIRMED', 'FULFILLED', 'SHIPPED', 'DELIVERED']);

export interface RefundOrderInput {
  orderId: string;
  /** Defaults to everything still refundable. */
  amountMinor?: number | null;
  /** Defaults to false. */
  restock?: boolean | null;
  reason: string;
  /** Which lines (and units) are refunded; with restock, they also go back to stock. */
  lines?: { lineId: string; quantity: number }[] | null;
}

/** Captured minus refunded minus refunds requested and not settled yet. */
async function refundableAmount(tx: OrdersTx, order: Order): Promise<number> {
  const pending = await tx.refundRequest.aggregate({
    where: { orderId: order.id, status: 'REQUESTED' },
    _sum: { amountMinor: true },
  });
  return order.capturedMinor - order.refundedMinor - (pending._sum.amountMinor ?? 0);
}

/** Every unit not returned to stock yet: what a restock with no lines named returns. */
function unreturnedUnits(lines: readonly OrderLine[]): { line: OrderLine; quantity: number }[] {
  return lines.filter((line) => line.quantity > line.returnedQuantity).map((line) => ({ line, quantity: line.quantity - line.returnedQuantity }));
}

/**
 * The lines an admin named, checked: each is the order's, listed once, and its
 * quantity is at most the units not refunded by line yet (and, with restock,
 * not returned yet).
 */
function namedLines(
  lines: readonly OrderLine[],
  requested: NonNullable<RefundOrderInput['lines']>,
  restock: boolean,
): { line: OrderLine; quantity: number }[] {
  const byId = new Map(lines.map((line) => [line.id, line]));
  const seen = new Set<string>();
  return requested.map((item, index) => {
    const field = `lines[${index}]`;
    const line = byId.get(item.lineId);
    if (!line) throw badInput('This line is not part of the order.', `${field}.lineId`);
    if (seen.has(line.id)) throw badInput('Each line may be listed once.', `${field}.lineId`);
    seen.add(line.id);
    const remaining = Math.min(line.quantity - line.refundedQuantity, restock ? line.quantity - line.returnedQuantity : line.quantity);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > remaining) {
      throw badInput(`quantity must be between 1 and ${remaining} (units not refunded or returned yet).`, `${field}.quantity`);
    }
    return { line, quantity: item.quantity };
  });
}

/** What named lines cost: unit price × quantity, in integer minor units. */
export const linesAmount = (lines: readonly { line: Pick<OrderLine, 'unitPriceMinor'>; quantity: number }[]): number =>
  lines.reduce((sum, { line, quantity }) => sum + line.unitPriceMinor * quantity, 0);

/**
 * Admin: asks payments to refund (see the top of this file). The order keeps
 * its status until payments reports the refund.
 * Errors: NOT_FOUND, INVALID_STATE_TRANSITION (not refundable in its status),
 * BAD_USER_INPUT (amount above what is refundable, bad lines, no reason).
 */
export function refundOrder(ctx: OrdersContext, input: RefundOrderInput): Promise<Order> {
  if (!ctx.identity) throw new Error('refundOrder needs an identity (permissions.ts)');
  const adminId = ctx.identity.userId;
  const reason = requireText(input.reason, 'reason', 500);
  const restock = input.restock ?? false;
  const byLine = input.lines !== null && input.lines !== undefined;
  if (byLine && input.lines?.length === 0) throw badInput('Name at least one line, or leave lines out for a refund by amount.', 'lines');

  return withLockedOrder(ctx, input.orderId, async (tx, order) => {
    if (!REFUNDABLE.has(order.status)) {
      throw invalidTransition(order.status, 'REFUNDED', `An order in ${order.status} cannot be refunded.`);
    }
    const available = await refundableAmount(tx, order);
    if (available <= 0) {
      throw badInput('Nothing is left to refund: everything captured is refunded or already requested.', 'amountMinor');
    }
    const orderLines = byLine || restock ? await tx.orderLine.findMany({ where: { orderId: order.id }, orderBy: { position: 'asc' } }) : [];
    const named = input.lines ? namedLines(orderLines, input.lines, restock) : [];
    // The amount: as given; else what the named lines cost; else everything refundable (a full refund).
    const amountField = input.amountMinor === null || input.amountMinor === undefined ? (byLine ? 'lines' : 'amountMinor') : 'amountMinor';
    const amountMinor = input.amountMinor ?? (byLine ? linesAmount(named) : available);
    if (!Number.isInteger(amountMinor) || amountMinor < 1) throw badInput('amountMinor must be a positive integer.', amountField);
    if (amountMinor > available) {
      throw badInput(`At most ${available} (captured minus refunded and requested) can be refunded; this refund is ${amountMinor}.`, amountField);
    }

    // The request's units: the lines named, or with restock every unit not returned yet.
    const units = byLine ? named : restock ? unreturnedUnits(orderLines) : [];
    const request = await tx.refundRequest.create({
      data: {
        orderId: order.id,
        amountMinor,
        currency: order.currency,
        restock,
        byLine,
        reason,
        requestedBy: adminId,
        lines: { create: units.map(({ line, quantity }) => ({ orderLineId: line.id, variantId: line.variantId, quantity })) },
      },
    });
    await countUnits(tx, request, units.map(({ line, quantity }) => ({ orderLineId: line.id, quantity })), 1);
    await publishRefundRequested(tx, order, request, ctx.traceContext);
    await recordAudit(tx, ctx, {
      action: 'refundOrder',
      targetType: 'Order',
      targetId: order.id,
      changes: {
        input: { amountMinor: input.amountMinor ?? null, restock, reason, lines: input.lines ?? null },
        refundRequestId: request.id,
        amountMinor,
        currency: order.currency,
        units: units.map(({ line, quantity }) => ({ orderLineId: line.id, quantity })),
      },
    });
    ctx.logger.info({ orderId: order.id, refundRequestId: request.id, amountMinor, restock, byLine }, 'refund requested');
    ctx.loaders.refundsByOrder.clear(order.id);
    ctx.loaders.linesByOrder.clear(order.id);
    return order;
  });
}

/**
 * Counts (sign 1) or uncounts (sign -1, a failed refund) a request's units on
 * the order lines: returned units with restock, refunded units when by line.
 */
async function countUnits(
  tx: OrdersTx,
  request: Pick<RefundRequest, 'restock' | 'byLine'>,
  units: readonly { orderLineId: string; quantity: number }[],
  sign: 1 | -1,
): Promise<void> {
  if (!request.restock && !request.byLine) return;
  for (const { orderLineId, quantity } of units) {
    const by = sign * quantity;
    await tx.orderLine.update({
      where: { id: orderLineId },
      data: {
        ...(request.restock ? { returnedQuantity: { increment: by } } : {}),
        ...(request.byLine ? { refundedQuantity: { increment: by } } : {}),
      },
    });
  }
}

/** Everything captured is refunded: the refunded total (the latest refund included) reaches the captured amount. */
const isFullyRefunded = (order: Pick<Order, 'capturedMinor' | 'refundedMinor'>): boolean =>
  order.capturedMinor > 0 && order.refundedMinor >= order.capturedMinor;

export interface RefundOutcome {
  refundRequestId: string;
  amountMinor: number;
  /** Payments' running total for the order, this refund included. */
  refundedTotalMinor: number;
  at: Date;
}

/**
 * Saga: payments refunded. Settles the request (once), raises the refunded
 * total, publishes order.refunded with the request's restock lines, and moves
 * the order to REFUNDED when everything captured is refunded. A refund that
 * no request of ours asked for (payments refunding a cancelled order) only
 * raises the total. The order must be locked by the caller.
 */
export async function recordRefund(
  tx: OrdersTx,
  order: Order,
  outcome: RefundOutcome,
  traceContext: TraceCarrier,
  logger: Logger,
): Promise<Order> {
  const request = await tx.refundRequest.findFirst({ where: { id: outcome.refundRequestId, orderId: order.id }, include: { lines: true } });
  if (request && request.status === 'SUCCEEDED') {
    logger.info({ orderId: order.id, refundRequestId: request.id }, 'refund already recorded; ignored');
    return order;
  }
  const refundedMinor = Math.max(order.refundedMinor + (request ? request.amountMinor : outcome.amountMinor), outcome.refundedTotalMinor);
  let updated = await tx.order.update({ where: { id: order.id }, data: { refundedMinor } });

  if (request) {
    if (request.status === 'FAILED') {
      // Reported failed earlier, then went through after all: its units count as returned (refunded) again.
      await countUnits(tx, request, request.lines, 1);
    }
    await tx.refundRequest.update({ where: { id: request.id }, data: { status: 'SUCCEEDED', completedAt: outcome.at, failureReason: null } });
    await publishRefunded(tx, updated, request, { at: outcome.at, fullyRefunded: isFullyRefunded(updated) }, traceContext);
  } else {
    logger.info({ orderId: order.id, refundRequestId: outcome.refundRequestId }, 'refund without a request of ours (e.g. a cancelled order); total recorded');
  }

  if (isFullyRefunded(updated) && canTransition(updated.status, 'REFUNDED')) {
    updated = await transitionOrder(tx, updated, 'REFUNDED', {
      actor: SYSTEM,
      reason: 'Refunded in full',
      traceContext,
      at: outcome.at,
    });
  }
  return updated;
}

/** Saga: payments could not refund. The request fails and its units no longer count as returned. */
export async function recordRefundFailure(
  tx: OrdersTx,
  order: Order,
  failure: { refundRequestId: string; reason: string; at: Date },
  logger: Logger,
): Promise<void> {
  const request = await tx.refundRequest.findFirst({ where: { id: failure.refundRequestId, orderId: order.id }, include: { lines: true } });
  if (request?.status !== 'REQUESTED') {
    logger.info({ orderId: order.id, refundRequestId: failure.refundRequestId }, 'refund failure for no pending request; ignored');
    return;
  }
  await tx.refundRequest.update({
    where: { id: request.id },
    data: { status: 'FAILED', completedAt: failure.at, failureReason: failure.reason },
  });
  await countUnits(tx, request, request.lines, -1);
  logger.warn({ orderId: order.id, refundRequestId: request.id, reason: failure.reason }, 'refund failed');
}
