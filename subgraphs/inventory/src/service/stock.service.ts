/**
 * Stock levels: units on hand, reserved and available (on hand − reserved)
 * per variant and warehouse. Use this service to read stock (storefront
 * availability, the admin's stock list), to change it by hand (adjustStock,
 * admin only) and to set a variant's low-stock threshold. Reservations for
 * orders live in reservation.service.ts; both report level changes through
 * `publishLevelChanges` / `recordLevelChanges` here.
 *
 * Rules:
 * - On hand never drops below what is reserved (INSUFFICIENT_STOCK), and
 *   nothing is ever negative.
 * - `stock.level_changed` is published whenever a variant's total
 *   availability (summed over warehouses) changes, in the transaction that
 *   changed it.
 * - `stock.low` is published when availability *crosses* to or below the
 *   variant's threshold (default 5): from above it to at or below it, by a
 *   stock change or by raising the threshold. Further changes below the
 *   threshold publish nothing until availability has risen above it again.
 * - Every on-hand change is written to the stock ledger (stock_movements).
 */
import { AppError, badInput, ErrorCode, notFound } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { InventoryContext, InventoryServiceContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { InventoryTx } from '../data/prisma.js';
import type { StockAdjustmentReason } from '../generated/prisma/enums.js';
import {
  allWarehouses,
  stockLevelCount,
  stockLevelPage,
  type StockLevelQuery,
  type StockLevelRow,
  type VariantStockRow,
  type WarehouseRow,
  type WarehouseStockRow,
} from '../data/queries.js';
import { changeStock, recordMovements, type AvailabilityChange } from '../data/stock-writes.js';
import { publishLevelChanged, publishStockLow } from '../events/publish.js';
import { recordAudit } from './audit.service.js';

/** What StockAvailability resolves from: one variant's totals. */
export interface Availability {
  variantId: string;
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  lowStock: boolean;
  threshold: number;
}

/** What StockLevel resolves from. */
export interface StockLevel extends Availability {
  lowStockThreshold: number;
  productId: string;
  sku: string;
  updatedAt: Date;
}

export function toAvailability(row: Pick<VariantStockRow, 'variantId' | 'onHand' | 'reserved' | 'threshold'>): Availability {
  const available = row.onHand - row.reserved;
  return {
    variantId: row.variantId,
    onHand: row.onHand,
    reserved: row.reserved,
    available,
    inStock: available > 0,
    lowStock: available <= row.threshold,
    threshold: row.threshold,
  };
}

const toStockLevel = (row: StockLevelRow): StockLevel => ({
  ...toAvailability(row),
  lowStockThreshold: row.threshold,
  productId: row.productId,
  sku: row.sku,
  updatedAt: row.updatedAt,
});

// ---------------------------------------------------------------- reads

/** A variant's availability; a variant inventory never heard of has none (not an error). */
export async function availabilityOf(ctx: InventoryContext, variantId: string): Promise<Availability> {
  return toAvailability(await ctx.loaders.stockByVariant.load(variantId));
}

/** Per-warehouse stock of a variant, in allocation order (admin only, see permissions.ts). */
export function warehouseStockOf(ctx: InventoryContext, variantId: string): Promise<WarehouseStockRow[]> {
  return ctx.loaders.warehouseStockByVariant.load(variantId);
}

/** Whether any variant of the product has a unit available. */
export function productInStock(ctx: InventoryContext, productId: string): Promise<boolean> {
  return ctx.loaders.productInStock.load(productId);
}

export function listWarehouses(ctx: InventoryContext): Promise<WarehouseRow[]> {
  return allWarehouses(ctx.prisma);
}

export interface StockLevelArgs {
  first?: number | null;
  after?: string | null;
  filter?: {
    lowStockOnly?: boolean | null;
    belowThreshold?: boolean | null;
    search?: string | null;
    warehouseId?: string | null;
  } | null;
}

export type StockLevelConnection = Connection<StockLevel> & { query: StockLevelQuery };

const MAX_SEARCH_LENGTH = 100;

/**
 * Admin: known variants with their stock, oldest first; optionally only those
 * at or below their threshold (`lowStockOnly` or `belowThreshold`), whose SKU
 * contains `search`, or with units on hand in `warehouseId`. An unknown
 * warehouse matches nothing; a malformed id is BAD_USER_INPUT.
 */
export async function listStockLevels(ctx: InventoryContext, args: StockLevelArgs): Promise<StockLevelConnection> {
  const first = clampFirst(args.first);
  const after = decodeVariantCursor(args.after);
  const filter = args.filter ?? {};
  const search = filter.search?.trim() || null;
  if (search !== null && search.length > MAX_SEARCH_LENGTH) throw badInput(`"search" is at most ${MAX_SEARCH_LENGTH} characters.`, 'filter.search');
  const warehouseId = filter.warehouseId ?? null;
  if (warehouseId !== null && !isUuid(warehouseId)) throw badInput('"warehouseId" is not a warehouse id.', 'filter.warehouseId');
  const query: StockLevelQuery = {
    lowStockOnly: filter.lowStockOnly === true || filter.belowThreshold === true,
    search,
    warehouseId: warehouseId?.toLowerCase() ?? null,
  };
  const rows = await stockLevelPage(ctx.prisma, { ...query, limit: first + 1, after });
  return { ...toConnection(rows.map(toStockLevel), first, (level) => encodeCursor([level.variantId])), query };
}

/** totalCount of the stock list: one COUNT, only when asked for. */
export const stockLevelTotal = (ctx: InventoryContext, connection: StockLevelConnection): Promise<number> =>
  stockLevelCount(ctx.prisma, connection.query);

function decodeVariantCursor(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  const [id, ...rest] = decodeCursor(after);
  if (typeof id !== 'string' || !isUuid(id) || rest.length > 0) {
    throw new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');
  }
  return id;
}

/** Admin: one variant's stock level, or null for a variant inventory does not know (or a malformed id). */
export async function findStockLevel(ctx: InventoryContext, variantId: string): Promise<StockLevel | null> {
  if (!isUuid(variantId)) return null;
  try {
    return await stockLevelOf(ctx, variantId.toLowerCase());
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.NOT_FOUND) return null;
    throw error;
  }
}

/** One variant's stock level (after a mutation): read outside any loader cache. */
export async function stockLevelOf(ctx: InventoryServiceContext, variantId: string): Promise<StockLevel> {
  const [row] = await ctx.prisma.$queryRaw<StockLevelRow[]>`
    SELECT v.id::text AS "variantId", v.product_id::text AS "productId", v.sku,
           COALESCE(SUM(s.on_hand), 0)::int AS "onHand", COALESCE(SUM(s.reserved), 0)::int AS "reserved",
           v.low_stock_threshold AS "threshold", GREATEST(v.updated_at, MAX(s.updated_at)) AS "updatedAt"
      FROM variants v LEFT JOIN stock_levels s ON s.variant_id = v.id
     WHERE v.id = ${variantId}::uuid
     GROUP BY v.id`;
  if (!row) throw notFound('Variant', variantId);
  return toStockLevel(row);
}

// ---------------------------------------------------------------- level changes

export interface LevelChange {
  variantId: string;
  previous: number;
  available: number;
  threshold: number;
  /** stock.low was published. */
  low: boolean;
}

/**
 * Publishes what `applyStockChanges` reports: stock.level_changed for each
 * variant whose availability changed, and stock.low when it crossed to or
 * below the threshold, in variant id order. The variant rows are locked
 * (by the update that changed them) until the transaction ends, so
 * concurrent changes to one variant report their levels in commit order.
 */
export async function publishLevelChanges(
  ctx: InventoryServiceContext,
  tx: InventoryTx,
  changes: readonly AvailabilityChange[],
): Promise<LevelChange[]> {
  const changedAt = new Date().toISOString();
  const reported: LevelChange[] = [];
  for (const change of [...changes].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0))) {
    reported.push(await publishLevelChange(ctx, tx, change, changedAt));
  }
  return reported;
}

async function publishLevelChange(
  ctx: InventoryServiceContext,
  tx: InventoryTx,
  { variantId, previous, available, threshold }: AvailabilityChange,
  changedAt: string,
): Promise<LevelChange> {
  await publishLevelChanged(tx, { variantId, available, inStock: available > 0, changedAt }, ctx.traceContext);
  const low = previous > threshold && available <= threshold;
  if (low) {
    await publishStockLow(tx, { variantId, available, threshold }, ctx.traceContext);
    ctx.logger.info({ variantId, available, threshold }, 'stock is low');
  }
  return { variantId, previous, available, threshold, low };
}

/**
 * For writers that change stock rows one by one (`changeStock`: hand
 * adjustments, refund restocks, initial stock): call at the end of the
 * transaction with the variants it touched. Recomputes each variant's
 * availability, stores it on the variant row and publishes
 * stock.level_changed (and stock.low on a crossing) when it differs from the
 * last value stored. (`applyStockChanges` does all of that in its own
 * statement; publish its result with `publishLevelChanges`.)
 *
 * Takes the variants' row locks in id order *after* the stock row locks,
 * like every writer, so concurrent changes to one variant (in any warehouse)
 * report their levels one after another, in commit order. Unknown variants
 * are skipped.
 */
export async function recordLevelChanges(
  ctx: InventoryServiceContext,
  tx: InventoryTx,
  variantIds: Iterable<string>,
): Promise<LevelChange[]> {
  const ids = [...new Set(variantIds)];
  if (ids.length === 0) return [];
  const variants = await tx.$queryRaw<{ id: string; available: number; threshold: number }[]>`
    SELECT id::text AS id, available, low_stock_threshold AS threshold
      FROM variants WHERE id = ANY(${ids}::uuid[])
     ORDER BY id
       FOR NO KEY UPDATE`;
  const sums = await tx.$queryRaw<{ variantId: string; available: number }[]>`
    SELECT variant_id::text AS "variantId", SUM(on_hand - reserved)::int AS available
      FROM stock_levels WHERE variant_id = ANY(${ids}::uuid[])
     GROUP BY variant_id`;
  const current = new Map(sums.map((row) => [row.variantId, row.available]));
  const changes: LevelChange[] = [];
  const changedAt = new Date().toISOString();
  for (const variant of variants) {
    const available = current.get(variant.id) ?? 0;
    if (available === variant.available) continue;
    await tx.$executeRaw`UPDATE variants SET available = ${available}::int, updated_at = now() WHERE id = ${variant.id}::uuid`;
    changes.push(
      await publishLevelChange(ctx, tx, { variantId: variant.id, previous: variant.available, available, threshold: variant.threshold }, changedAt),
    );
  }
  return changes;
}

// ---------------------------------------------------------------- admin changes

export interface AdjustStockInput {
  variantId: string;
  warehouseId: string;
  delta?: number | null;
  setOnHand?: number | null;
  reason: string;
  reasonCode?: StockAdjustmentReason | null;
}

const MAX_UNITS = 1_000_000_000;

/**
 * For transactions this service opens itself: they may wait for stock row
 * locks behind a burst of reservations, longer than Prisma's 5 s default.
 */
export const STOCK_TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 30_000 } as const;
const MAX_REASON_LENGTH = 500;

/**
 * Admin: adds or removes units on hand (`delta`), or sets them after a count
 * (`setOnHand`), in one warehouse. The row is locked, so concurrent
 * reservations and adjustments see each other's result. Refuses to drop on
 * hand below what is reserved for orders (INSUFFICIENT_STOCK, with the
 * numbers). Creates the stock row if the variant has none in the warehouse.
 * Errors: BAD_USER_INPUT (with `field`), NOT_FOUND (variant or warehouse),
 * INSUFFICIENT_STOCK. Records the change in the ledger (with the admin, the
 * reason and its code) and in the audit log, in the same transaction.
 */
export async function adjustStock(ctx: InventoryContext, input: AdjustStockInput): Promise<StockLevel> {
  const hasDelta = input.delta !== null && input.delta !== undefined;
  const hasSet = input.setOnHand !== null && input.setOnHand !== undefined;
  if (hasDelta === hasSet) throw badInput('Give exactly one of "delta" and "setOnHand".', hasDelta ? 'setOnHand' : 'delta');
  if (hasDelta && (input.delta === 0 || Math.abs(input.delta as number) > MAX_UNITS)) {
    throw badInput(`"delta" must be a non-zero number of units up to ${MAX_UNITS}.`, 'delta');
  }
  if (hasSet && ((input.setOnHand as number) < 0 || (input.setOnHand as number) > MAX_UNITS)) {
    throw badInput(`"setOnHand" must be between 0 and ${MAX_UNITS}.`, 'setOnHand');
  }
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
    throw badInput(`"reason" must be 1 to ${MAX_REASON_LENGTH} characters.`, 'reason');
  }
  if (!isUuid(input.variantId)) throw notFound('Variant', input.variantId);
  if (!isUuid(input.warehouseId)) throw notFound('Warehouse', input.warehouseId);
  const variantId = input.variantId.toLowerCase();
  const warehouseId = input.warehouseId.toLowerCase();

  await ctx.prisma.$transaction(async (tx) => {
    const [variant] = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM variants WHERE id = ${variantId}::uuid`;
    if (!variant) throw notFound('Variant', variantId);
    const [warehouse] = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM warehouses WHERE id = ${warehouseId}::uuid`;
    if (!warehouse) throw notFound('Warehouse', warehouseId);

    await tx.$executeRaw`
      INSERT INTO stock_levels (variant_id, warehouse_id) VALUES (${variantId}::uuid, ${warehouseId}::uuid)
      ON CONFLICT DO NOTHING`;
    const [row] = await tx.$queryRaw<{ onHand: number; reserved: number }[]>`
      SELECT on_hand AS "onHand", reserved FROM stock_levels
       WHERE variant_id = ${variantId}::uuid AND warehouse_id = ${warehouseId}::uuid
         FOR NO KEY UPDATE`;
    if (!row) throw new Error(`stock row of ${variantId} in ${warehouseId} vanished`);
    const target = hasSet ? (input.setOnHand as number) : row.onHand + (input.delta as number);
    if (target < row.reserved || target < 0) {
      throw new AppError(
        ErrorCode.INSUFFICIENT_STOCK,
        `On hand cannot drop below the ${row.reserved} unit(s) reserved for orders (it would be ${target}).`,
        { details: { field: hasSet ? 'setOnHand' : 'delta', onHand: row.onHand, reserved: row.reserved, requestedOnHand: target } },
      );
    }
    if (target > MAX_UNITS) throw badInput(`On hand cannot exceed ${MAX_UNITS} units.`, hasSet ? 'setOnHand' : 'delta');
    if (target === row.onHand) return; // a count that matches: nothing changed, nothing to publish
    const after = await changeStock(tx, { variantId, warehouseId, onHandDelta: target - row.onHand, reservedDelta: 0 });
    if (!after) throw new Error(`adjustStock: guarded update refused under lock for ${variantId} in ${warehouseId}`);
    await recordMovements(tx, [
      {
        variantId,
        warehouseId,
        kind: 'ADJUSTMENT',
        delta: target - row.onHand,
        onHandAfter: after.onHand,
        reason,
        reasonCode: input.reasonCode ?? null,
        actorId: ctx.identity?.userId ?? null,
      },
    ]);
    await recordAudit(ctx, tx, 'adjustStock', {
      targetType: 'StockLevel',
      targetId: variantId,
      changes: {
        warehouseId,
        onHand: { before: row.onHand, after: after.onHand },
        delta: target - row.onHand,
        reason,
        reasonCode: input.reasonCode ?? null,
      },
    });
    await recordLevelChanges(ctx, tx, [variantId]);
    ctx.logger.info({ variantId, warehouseId, from: row.onHand, to: after.onHand, reason }, 'stock adjusted');
  }, STOCK_TRANSACTION_OPTIONS);
  return stockLevelOf(ctx, variantId);
}

export interface SetLowStockThresholdInput {
  variantId: string;
  threshold: number;
}

/**
 * Admin: the availability at or below which the variant counts as low.
 * Raising it above the current availability is a crossing too, so stock.low
 * fires then. Errors: BAD_USER_INPUT, NOT_FOUND. A change is recorded in the
 * audit log; setting the threshold it already has records nothing.
 */
export async function setLowStockThreshold(ctx: InventoryContext, input: SetLowStockThresholdInput): Promise<StockLevel> {
  if (!Number.isInteger(input.threshold) || input.threshold < 0 || input.threshold > MAX_UNITS) {
    throw badInput(`"threshold" must be between 0 and ${MAX_UNITS}.`, 'threshold');
  }
  if (!isUuid(input.variantId)) throw notFound('Variant', input.variantId);
  const variantId = input.variantId.toLowerCase();
  await ctx.prisma.$transaction(async (tx) => {
    const [variant] = await tx.$queryRaw<{ available: number; threshold: number }[]>`
      SELECT available, low_stock_threshold AS threshold FROM variants WHERE id = ${variantId}::uuid FOR NO KEY UPDATE`;
    if (!variant) throw notFound('Variant', variantId);
    if (variant.threshold === input.threshold) return;
    await tx.$executeRaw`
      UPDATE variants SET low_stock_threshold = ${input.threshold}::int, updated_at = now() WHERE id = ${variantId}::uuid`;
    await recordAudit(ctx, tx, 'setLowStockThreshold', {
      targetType: 'StockLevel',
      targetId: variantId,
      changes: { lowStockThreshold: { before: variant.threshold, after: input.threshold } },
    });
    if (variant.available > variant.threshold && variant.available <= input.threshold) {
      await publishStockLow(tx, { variantId, available: variant.available, threshold: input.threshold }, ctx.traceContext);
    }
  }, STOCK_TRANSACTION_OPTIONS);
  return stockLevelOf(ctx, variantId);
}

export type { WarehouseRow, WarehouseStockRow };
