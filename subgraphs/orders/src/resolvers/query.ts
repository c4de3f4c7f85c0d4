import type { OrdersContext } from '../context.js';
import * as audit from '../service/audit.service.js';
import * as reads from '../service/order-read.service.js';
import * as stats from '../service/order-stats.service.js';
import type { PageArgs } from '../service/pagination.js';

/** Root queries: arguments in, service call, result out. Who may call each one is in permissions.ts. */
export const Query = {
  order: (_: unknown, args: { id: string }, ctx: OrdersContext) => reads.findOrder(ctx, args.id),
  orderByNumber: (_: unknown, args: { number: string }, ctx: OrdersContext) => reads.findOrderByNumber(ctx, args.number),
  orderLookup: (_: unknown, args: { input: reads.OrderLookupInput }, ctx: OrdersContext) => reads.lookupGuestOrder(ctx, args.input),
  orders: (_: unknown, args: PageArgs & { filter?: reads.OrderFilter | null }, ctx: OrdersContext) => reads.listOrders(ctx, args),
  orderStats: (_: unknown, args: stats.OrderStatsArgs, ctx: OrdersContext) => stats.orderStats(ctx, args),
  ordersAuditLog: (_: unknown, args: PageArgs & { filter?: audit.AuditLogFilter | null }, ctx: OrdersContext) => audit.auditLog(ctx, args),
};
