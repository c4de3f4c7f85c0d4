/**
 * Per-request DataLoaders: entity references and stock fields for a whole
 * batch of variants (or products) cost one SQL statement. Created per
 * request in createContext, so caches never outlive a request.
 */
import DataLoader from 'dataloader';
import type { StockMovementKind } from '../generated/prisma/enums.js';
import { isUuid } from './ids.js';
import { movementCountsOfVariants, movementsOfVariants, type LedgerSlice, type MovementRow } from './ledger.js';
import type { InventoryDb } from './prisma.js';
import { linesOfReservations, type ReservationLineRow } from './reservations.js';
import {
  allWarehouses,
  DEFAULT_LOW_STOCK_THRESHOLD,
  productsInStock,
  stockOfVariants,
  warehouseStockOfVariants,
  type VariantStockRow,
  type WarehouseRow,
  type WarehouseStockRow,
} from './queries.js';

/** A ledger page's key: the variant plus the slice, so loads with the same slice share one statement. */
export interface LedgerKey extends LedgerSlice {
  variantId: string;
}

const sliceKey = (slice: Pick<LedgerSlice, 'warehouseId' | 'kinds'> & Partial<LedgerSlice>): string =>
  JSON.stringify([slice.warehouseId, [...slice.kinds].sort(), slice.after?.at.toISOString() ?? null, slice.after?.id ?? null, slice.limit ?? null]);

/** Groups keys by slice and answers each group with one call. */
async function bySlice<K extends { variantId: string }, S, V>(
  keys: readonly K[],
  keyOf: (key: K) => string,
  load: (variantIds: string[], slice: K) => Promise<S>,
  pick: (answer: S, key: K) => V,
): Promise<V[]> {
  const groups = new Map<string, { slice: K; ids: Set<string> }>();
  for (const key of keys) {
    const id = keyOf(key);
    const group = groups.get(id);
    if (group) group.ids.add(key.variantId);
    else groups.set(id, { slice: key, ids: new Set([key.variantId]) });
  }
  const answers = new Map<string, S>();
  await Promise.all(
    [...groups].map(async ([id, group]) => answers.set(id, await load([...group.ids], group.slice))),
  );
  return keys.map((key) => pick(answers.get(keyOf(key)) as S, key));
}

const unknownVariant = (variantId: string): VariantStockRow => ({
  variantId,
  onHand: 0,
  reserved: 0,
  threshold: DEFAULT_LOW_STOCK_THRESHOLD,
  known: false,
});

export function createLoaders(db: InventoryDb) {
  return {
    /** Stock summed over warehouses; an unknown or malformed id has none. */
    stockByVariant: new DataLoader<string, VariantStockRow>(async (keys) => {
      const ids = [...new Set(keys.filter(isUuid))];
      const rows = new Map((await stockOfVariants(db, ids)).map((row) => [row.variantId, row]));
      return keys.map((key) => rows.get(key) ?? unknownVariant(key));
    }),
    /** Per warehouse, in allocation order. */
    warehouseStockByVariant: new DataLoader<string, WarehouseStockRow[]>(async (keys) => {
      const ids = [...new Set(keys.filter(isUuid))];
      const groups = new Map<string, WarehouseStockRow[]>();
      for (const row of await warehouseStockOfVariants(db, ids)) {
        const group = groups.get(row.variantId);
        if (group) group.push(row);
        else groups.set(row.variantId, [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    }),
    /** Any variant of the product available; false for an unknown product. */
    productInStock: new DataLoader<string, boolean>(async (keys) => {
      const found = await productsInStock(db, [...new Set(keys.filter(isUuid))]);
      return keys.map((key) => found.get(key) ?? false);
    }),
    /** Every warehouse (a handful), read once per request. */
    warehouseById: new DataLoader<string, WarehouseRow | null>(async (keys) => {
      const all = new Map((await allWarehouses(db)).map((row) => [row.id, row]));
      return keys.map((key) => all.get(key) ?? null);
    }),
    /** A page of each variant's ledger; keys with the same slice cost one statement. */
    movements: new DataLoader<LedgerKey, MovementRow[], string>(
      (keys) =>
        bySlice(
          keys,
          sliceKey,
          (ids, slice) => movementsOfVariants(db, ids, slice),
          (rows, key) => rows.filter((row) => row.variantId === key.variantId),
        ),
      { cacheKeyFn: (key) => `${key.variantId}:${sliceKey(key)}` },
    ),
    /** How many ledger rows each variant has in a slice (cursor and limit ignored). */
    movementCount: new DataLoader<{ variantId: string; warehouseId: string | null; kinds: readonly StockMovementKind[] }, number, string>(
      (keys) =>
        bySlice(
          keys,
          sliceKey,
          (ids, slice) => movementCountsOfVariants(db, ids, slice),
          (counts, key) => counts.get(key.variantId) ?? 0,
        ),
      { cacheKeyFn: (key) => `${key.variantId}:${sliceKey(key)}` },
    ),
    /** A reservation's lines. */
    reservationLines: new DataLoader<string, ReservationLineRow[]>(async (keys) => {
      const groups = new Map<string, ReservationLineRow[]>();
      for (const row of await linesOfReservations(db, [...new Set(keys)])) {
        const group = groups.get(row.reservationId);
        if (group) group.push(row);
        else groups.set(row.reservationId, [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    }),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
