/**
 * Field resolvers of the orders types. Relations go through the request's
 * DataLoaders (one statement for all the orders of a response); money fields
 * pair the stored minor units with the order's currency.
 */
import type { OrdersContext } from '../context.js';
import type { Order, RefundRequest, RefundRequestLine } from '../generated/prisma/client.js';
import * as audit from '../service/audit.service.js';
import * as reads from '../service/order-read.service.js';
import type { CountedConnection, PageArgs } from '../service/pagination.js';

const { money } = reads;

export const OrderResolvers = {
  /** Entity reference (e.g. from payments); null for someone else's order. */
  __resolveReference: (reference: { id: string }, ctx: OrdersContext) => reads.orderReference(ctx, reference.id),
  number: (order: Order) => String(order.number),
  lines: (order: Order, _: unknown, ctx: OrdersContext) => reads.linesOf(ctx, order),
  subtotal: (order: Order) => money(order.subtotalMinor, order.currency),
  discount: (order: Order) => money(order.discountMinor, order.currency),
  tax: (order: Order) => money(order.taxMinor, order.currency),
  shipping: (order: Order) => money(order.shippingMinor, order.currency),
  total: (order: Order) => money(order.totalMinor, order.currency),
  capturedAmount: (order: Order) => money(order.capturedMinor, order.currency),
  refundedAmount: (order: Order) => money(order.refundedMinor, order.currency),
  shippingAddress: (order: Order) => reads.shippingAddressOf(order),
  timeline: (order: Order, _: unknown, ctx: OrdersContext) => reads.timelineOf(ctx, order),
  refunds: (order: Order, _: unknown, ctx: OrdersContext) => reads.refundsOf(ctx, order),
  /** Null for a guest order. */
  user: (order: Order) => (order.userId ? { id: order.userId } : null),
};

export const OrderLineResolvers = {
  variant: (line: reads.OrderLineView) => ({ id: line.variantId }),
  unitPrice: (line: reads.OrderLineView) => money(line.unitPriceMinor, line.currency),
  lineTotal: (line: reads.OrderLineView) => money(line.lineTotalMinor, line.currency),
};

export const OrderRefundResolvers = {
  amount: (refund: RefundRequest) => money(refund.amountMinor, refund.currency),
  requestedBy: (refund: RefundRequest) => ({ id: refund.requestedBy }),
  lines: (refund: RefundRequest, _: unknown, ctx: OrdersContext) => reads.refundLinesOf(ctx, refund),
};

export const OrderRefundLineResolvers = {
  variant: (line: RefundRequestLine) => ({ id: line.variantId }),
};

export const OrderTransitionResolvers = {
  actedBy: (transition: reads.TimelineEntry) => reads.userOfActor(transition.actor),
};

export const OrderEventResolvers = {
  actedBy: (event: { actor: string }) => reads.userOfActor(event.actor),
};

export const AuditEntryResolvers = audit.AuditEntryResolvers;
export const AuditEntryConnectionResolvers = audit.AuditEntryConnectionResolvers;

export const UserResolvers = {
  /** Users are owned by the users subgraph; here a user is just an id with orders. */
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  orders: (user: { id: string }, args: PageArgs, ctx: OrdersContext) => reads.ordersOfUser(ctx, user.id, args),
};

export const OrderConnectionResolvers = {
  /** Counted only when selected (see CountedConnection). */
  totalCount: (connection: CountedConnection<Order>) => connection.countTotal(),
};
