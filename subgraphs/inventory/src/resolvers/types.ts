/**
 * Field resolvers. Entity references only carry ids; the stock behind them
 * comes from the request's DataLoaders, so N variants (or products) in one
 * `_entities` call cost one SQL statement.
 */
import type { InventoryContext } from '../context.js';
import * as audit from '../service/audit.service.js';
import * as ledger from '../service/ledger.service.js';
import * as reservations from '../service/reservation-list.service.js';
import * as stock from '../service/stock.service.js';

interface VariantRef {
  id: string;
}

export const ProductVariantResolvers = {
  /** Batched: every reference of the request goes through one stockByVariant load. */
  __resolveReference: async (reference: VariantRef, ctx: InventoryContext) => ({
    id: reference.id,
    availability: await stock.availabilityOf(ctx, reference.id),
  }),
  availability: (variant: VariantRef & { availability?: stock.Availability }, _: unknown, ctx: InventoryContext) =>
    variant.availability ?? stock.availabilityOf(ctx, variant.id),
  inStock: async (variant: VariantRef & { availability?: stock.Availability }, _: unknown, ctx: InventoryContext) =>
    (variant.availability ?? (await stock.availabilityOf(ctx, variant.id))).inStock,
};

export const ProductResolvers = {
  /** Batched: one statement answers inStock for every product of the request. */
  __resolveReference: async (reference: { id: string }, ctx: InventoryContext) => ({
    id: reference.id,
    inStock: await stock.productInStock(ctx, reference.id),
  }),
};

export const StockAvailabilityResolvers = {
  warehouses: (availability: stock.Availability, _: unknown, ctx: InventoryContext) =>
    stock.warehouseStockOf(ctx, availability.variantId),
};

export const StockLevelResolvers = {
  variant: (level: stock.StockLevel) => ({ id: level.variantId, availability: level }),
  warehouses: (level: stock.StockLevel, _: unknown, ctx: InventoryContext) => stock.warehouseStockOf(ctx, level.variantId),
  adjustments: (level: stock.StockLevel, args: ledger.AdjustmentsArgs, ctx: InventoryContext) => ledger.adjustmentsOf(ctx, level.variantId, args),
};

export const StockLevelConnectionResolvers = {
  totalCount: (connection: stock.StockLevelConnection, _: unknown, ctx: InventoryContext) => stock.stockLevelTotal(ctx, connection),
};

export const StockMovementResolvers = {
  warehouse: (movement: ledger.MovementRow, _: unknown, ctx: InventoryContext) => ctx.loaders.warehouseById.load(movement.warehouseId),
  actor: (movement: ledger.MovementRow) => (movement.actorId ? { __typename: 'User', id: movement.actorId } : null),
};

export const StockMovementConnectionResolvers = {
  totalCount: (connection: ledger.MovementConnection, _: unknown, ctx: InventoryContext) => ledger.adjustmentsTotal(ctx, connection),
};

export const StockReservationResolvers = {
  order: (reservation: reservations.ReservationRow) => ({ __typename: 'Order', id: reservation.orderId }),
  since: (reservation: reservations.ReservationRow) => reservation.createdAt,
  lines: (reservation: reservations.ReservationRow, _: unknown, ctx: InventoryContext) => reservations.reservationLines(ctx, reservation),
  quantity: async (reservation: reservations.ReservationRow, _: unknown, ctx: InventoryContext) =>
    (await reservations.reservationLines(ctx, reservation)).reduce((sum, line) => sum + line.quantity, 0),
};

export const StockReservationLineResolvers = {
  variant: (line: reservations.ReservationLineRow) => ({ id: line.variantId }),
  warehouse: (line: reservations.ReservationLineRow, _: unknown, ctx: InventoryContext) => ctx.loaders.warehouseById.load(line.warehouseId),
};

export const StockReservationConnectionResolvers = {
  totalCount: (connection: reservations.ReservationConnection, _: unknown, ctx: InventoryContext) =>
    reservations.reservationsTotal(ctx, connection),
};

export const AuditEntryResolvers = audit.AuditEntryResolvers;
export const AuditEntryConnectionResolvers = audit.AuditEntryConnectionResolvers;
