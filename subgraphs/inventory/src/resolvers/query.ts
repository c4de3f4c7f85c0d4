import type { InventoryContext } from '../context.js';
import * as audit from '../service/audit.service.js';
import * as reservations from '../service/reservation-list.service.js';
import * as stock from '../service/stock.service.js';

type Args<T> = T & Record<string, unknown>;

/** Root queries: arguments in, service call, result out. Who may call them is in permissions.ts. */
export const Query = {
  stockLevels: (_: unknown, args: Args<stock.StockLevelArgs>, ctx: InventoryContext) => stock.listStockLevels(ctx, args),
  stockLevel: (_: unknown, args: { variantId: string }, ctx: InventoryContext) => stock.findStockLevel(ctx, args.variantId),
  warehouses: (_: unknown, _args: unknown, ctx: InventoryContext) => stock.listWarehouses(ctx),
  stockReservations: (_: unknown, args: Args<reservations.StockReservationsArgs>, ctx: InventoryContext) =>
    reservations.listReservations(ctx, args),
  inventoryAuditLog: (_: unknown, args: Args<audit.AuditLogArgs>, ctx: InventoryContext) => audit.auditLog(ctx, args),
};
