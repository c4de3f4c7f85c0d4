/**
 * The stock ledger as the admin reads it: StockLevel.adjustments, newest
 * first. Writes happen where stock changes (stock-writes.ts); this only
 * reads, batched over a whole page of stock levels (loaders.ts).
 */
import { badInput } from '@commerce/errors';
import { clampFirst, decodeTimeIdCursor, encodeTimeIdCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
import type { InventoryContext } from '../context.js';
import { isUuid } from '../data/ids.js';
import type { MovementRow } from '../data/ledger.js';
import type { StockMovementKind } from '../generated/prisma/enums.js';

export type { MovementRow };

export interface AdjustmentsArgs {
  first?: number | null;
  after?: string | null;
  warehouseId?: string | null;
  kinds?: readonly StockMovementKind[] | null;
}

export type MovementConnection = Connection<MovementRow> & {
  slice: { variantId: string; warehouseId: string | null; kinds: readonly StockMovementKind[] };
};

/** One variant's ledger page; stock levels of one page asking the same slice share one statement. */
export async function adjustmentsOf(ctx: InventoryContext, variantId: string, args: AdjustmentsArgs): Promise<MovementConnection> {
  const first = clampFirst(args.first);
  const after = decodeTimeIdCursor(args.after);
  const kinds = args.kinds && args.kinds.length > 0 ? [...new Set(args.kinds)] : (['ADJUSTMENT'] as StockMovementKind[]);
  const warehouseId = args.warehouseId ?? null;
  if (warehouseId !== null && !isUuid(warehouseId)) throw badInput('"warehouseId" is not a warehouse id.', 'warehouseId');
  const slice = { variantId, warehouseId: warehouseId?.toLowerCase() ?? null, kinds };
  const rows = await ctx.loaders.movements.load({ ...slice, after, limit: first + 1 });
  return { ...toConnection(rows, first, (row) => encodeTimeIdCursor(row.at, row.id)), slice };
}

export const adjustmentsTotal = (ctx: InventoryContext, connection: MovementConnection): Promise<number> =>
  ctx.loaders.movementCount.load(connection.slice);
