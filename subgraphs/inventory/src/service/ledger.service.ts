/**
 * The stock ledger as the admin reads it: StockLevel.adjustments, newest
 * first. Writes happen where stock changes (stock-writes.ts); this only
 * reads, batched over a whole page of stock levels (loaders.ts).
 */
import { AppError, badInput, ErrorCode } from '@commerce/errors';
import { clampFirst, decodeCursor, encodeCursor, toConnection, type Connection } from '@commerce/subgraph-kit';
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

function decodeLedgerCursor(after: string | null | undefined): { at: Date; id: string } | null {
  if (after === null || after === undefined) return null;
  const [at, id, ...rest] = decodeCursor(after);
  const date = typeof at === 'string' ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !isUuid(id) || rest.length > 0) {
    throw new AppError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this list.');
  }
  return { at: date, id };
}

/** One variant's ledger page; stock levels of one page asking the same slice share one statement. */
export async function adjustmentsOf(ctx: InventoryContext, variantId: string, args: AdjustmentsArgs): Promise<MovementConnection> {
  const first = clampFirst(args.first);
  const after = decodeLedgerCursor(args.after);
  const kinds = args.kinds && args.kinds.length > 0 ? [...new Set(args.kinds)] : (['ADJUSTMENT'] as StockMovementKind[]);
  const warehouseId = args.warehouseId ?? null;
  if (warehouseId !== null && !isUuid(warehouseId)) throw badInput('"warehouseId" is not a warehouse id.', 'warehouseId');
  const slice = { variantId, warehouseId: warehouseId?.toLowerCase() ?? null, kinds };
  const rows = await ctx.loaders.movements.load({ ...slice, after, limit: first + 1 });
  return { ...toConnection(rows, first, (row) => encodeCursor([row.at.toISOString(), row.id])), slice };
}

export const adjustmentsTotal = (ctx: InventoryContext, connection: MovementConnection): Promise<number> =>
  ctx.loaders.movementCount.load(connection.slice);
