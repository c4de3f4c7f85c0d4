import type { OrdersContext } from '../context.js';
import * as fulfilment from '../service/fulfilment.service.js';
import * as orders from '../service/order.service.js';
import * as refunds from '../service/refund.service.js';

/** Mutations; who may call each one is in permissions.ts. */
export const Mutation = {
  placeOrder: (_: unknown, args: { input: orders.PlaceOrderInput }, ctx: OrdersContext) => orders.placeOrder(ctx, args.input),
  cancelMyOrder: (_: unknown, args: { input: { orderId: string; reason?: string | null } }, ctx: OrdersContext) =>
    fulfilment.cancelMyOrder(ctx, args.input),
  fulfillOrder: (_: unknown, args: { input: { orderId: string } }, ctx: OrdersContext) => fulfilment.fulfillOrder(ctx, args.input),
  shipOrder: (_: unknown, args: { input: { orderId: string; trackingNumber: string } }, ctx: OrdersContext) =>
    fulfilment.shipOrder(ctx, args.input),
  markOrderDelivered: (_: unknown, args: { input: { orderId: string } }, ctx: OrdersContext) =>
    fulfilment.markOrderDelivered(ctx, args.input),
  cancelOrder: (_: unknown, args: { input: { orderId: string; reason: string } }, ctx: OrdersContext) =>
    fulfilment.cancelOrder(ctx, args.input),
  refundOrder: (_: unknown, args: { input: refunds.RefundOrderInput }, ctx: OrdersContext) => refunds.refundOrder(ctx, args.input),
};
