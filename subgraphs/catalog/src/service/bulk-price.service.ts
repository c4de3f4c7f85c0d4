/**
 * Bulk price change (admin): one currency's prices of many variants moved by a
 * percentage (basis points: 1000 = +10 %, -2500 = -25 %) or by a fixed amount
 * in minor units, rounded to whole minor units (half up). The selection is a
 * list of product ids or a category with its subcategories, products of
 * every status; variants not priced in the currency are left out.
 *
 * `previewBulkPriceChange` computes every line without changing anything;
 * `applyBulkPriceChange` recomputes from the locked rows and writes them in
 * one transaction, with the events setVariantPrices publishes
 * (product.price_changed per changed price, then product.updated per product)
 * and one audit entry per product. A change that would leave any price at
 * zero or below, or above the largest amount, is refused whole (BAD_USER_INPUT).
 */
import { badInput, notFound } from '@commerce/errors';
import type { CatalogContext } from '../context.js';
import {
  lockSelectedPrices,
  selectedPrices,
  writeBulkPrices,
  type BulkPriceRow,
  type BulkSelection,
} from '../data/bulk-prices.js';
import { isUuid } from '../data/ids.js';
import type { VariantRow } from '../data/reads.js';
import { publishPriceChanged, publishProductUpdated } from '../events/publish.js';
import { recordAudit } from './audit.service.js';
import type { Money } from './pricing.service.js';
import { MAX_AMOUNT_MINOR, requireCurrency, type CurrencyCode } from './validation.js';

export interface BulkPriceChangeInput {
  productIds?: string[] | null;
  categoryId?: string | null;
  currency: string;
  change: { percentBasisPoints?: number | null; amountMinor?: number | null };
}

export interface BulkPriceLine {
  variant: VariantRow;
  productId: string;
  productName: string;
  sku: string;
  oldPrice: Money;
  newPrice: Money;
}

export interface BulkPriceChange {
  currency: CurrencyCode;
  productCount: number;
  lines: BulkPriceLine[];
  /** Lines whose price actually moves (rounding can leave a small price where it was). */
  changedCount: number;
}

/** Most products one change may select, and most prices it may touch (one transaction, one event each). */
export const MAX_BULK_PRODUCTS = 500;
export const MAX_BULK_PRICES = 2000;
/** -100 % to +1000 %. */
const MIN_BASIS_POINTS = -10_000;
const MAX_BASIS_POINTS = 100_000;

type Change = { kind: 'percent'; basisPoints: number } | { kind: 'fixed'; amountMinor: number };

interface ValidInput {
  selection: BulkSelection;
  currency: CurrencyCode;
  change: Change;
}

function validate(input: BulkPriceChangeInput): ValidInput {
  const currency = requireCurrency(input.currency, 'currency');
  const productIds = input.productIds ?? null;
  const categoryId = input.categoryId ?? null;
  if ((productIds === null) === (categoryId === null)) throw badInput('Give exactly one of productIds or categoryId.', 'productIds');
  if (productIds !== null) {
    if (productIds.length === 0) throw badInput('Give at least one product.', 'productIds');
    if (productIds.length > MAX_BULK_PRODUCTS) throw badInput(`At most ${MAX_BULK_PRODUCTS} products at once.`, 'productIds');
    const unknown = productIds.find((id) => !isUuid(id));
    if (unknown !== undefined) throw notFound('Product', unknown);
  }
  if (categoryId !== null && !isUuid(categoryId)) throw notFound('Category', categoryId);
  const { percentBasisPoints: basisPoints, amountMinor } = input.change;
  let change: Change;
  if (basisPoints != null && amountMinor == null) {
    if (!Number.isInteger(basisPoints) || basisPoints === 0 || basisPoints < MIN_BASIS_POINTS || basisPoints > MAX_BASIS_POINTS) {
      throw badInput(
        `percentBasisPoints is a non-zero whole number from ${MIN_BASIS_POINTS} to ${MAX_BASIS_POINTS} (100 = 1 %).`,
        'change.percentBasisPoints',
      );
    }
    change = { kind: 'percent', basisPoints };
  } else if (amountMinor != null && basisPoints == null) {
    if (!Number.isInteger(amountMinor) || amountMinor === 0 || Math.abs(amountMinor) > MAX_AMOUNT_MINOR) {
      throw badInput('amountMinor is a non-zero whole number of minor units.', 'change.amountMinor');
    }
    change = { kind: 'fixed', amountMinor };
  } else {
    throw badInput('Give exactly one of percentBasisPoints or amountMinor.', 'change');
  }
  return { selection: { productIds: productIds ? [...new Set(productIds)] : null, categoryId }, currency, change };
}

/**
 * The new amount, in whole minor units. Percentages round half up:
 * old × (10000 + bp) / 10000 computed on integers (at most 2^31 × 110000,
 * well inside a double's exact range), so 999 × +10 % = 1098.9 → 1099.
 */
export function newAmount(old: number, change: Change): number {
  if (change.kind === 'fixed') return old + change.amountMinor;
  return Math.floor((old * (10_000 + change.basisPoints) + 5_000) / 10_000);
}

function compute(
  valid: ValidInput,
  selected: { productIds: string[]; prices: BulkPriceRow[] },
): BulkPriceChange {
  if (valid.selection.productIds) {
    const found = new Set(selected.productIds);
    const missing = valid.selection.productIds.find((id) => !found.has(id));
    if (missing !== undefined) throw notFound('Product', missing);
  } else if (selected.productIds.length > MAX_BULK_PRODUCTS) {
    throw badInput(`The category holds ${selected.productIds.length} products; a bulk change takes at most ${MAX_BULK_PRODUCTS}.`, 'categoryId');
  }
  if (selected.prices.length > MAX_BULK_PRICES) {
    throw badInput(`The selection has ${selected.prices.length} prices; a bulk change takes at most ${MAX_BULK_PRICES}.`, 'productIds');
  }
  const { currency, change } = valid;
  const lines: BulkPriceLine[] = [];
  const products = new Set<string>();
  let changedCount = 0;
  for (const row of selected.prices) {
    const amount = newAmount(row.amountMinor, change);
    if (amount <= 0) {
      throw badInput(`The change would take ${row.sku} from ${row.amountMinor} to ${amount} ${currency} minor units; prices stay above zero.`, 'change');
    }
    if (amount > MAX_AMOUNT_MINOR) throw badInput(`The change would take ${row.sku} above the largest price.`, 'change');
    if (amount !== row.amountMinor) changedCount++;
    products.add(row.productId);
    lines.push({
      variant: { id: row.variantId, productId: row.productId, sku: row.sku, name: row.variantName, position: row.position },
      productId: row.productId,
      productName: row.productName,
      sku: row.sku,
      oldPrice: { amountMinor: row.amountMinor, currency },
      newPrice: { amountMinor: amount, currency },
    });
  }
  return { currency, productCount: products.size, lines, changedCount };
}

/** A category that does not exist is NOT_FOUND, not an empty selection. */
async function requireCategory(ctx: CatalogContext, selection: BulkSelection): Promise<void> {
  if (selection.categoryId !== null && !(await ctx.loaders.categoryById.load(selection.categoryId))) {
    throw notFound('Category', selection.categoryId);
  }
}

/** Admin: what applyBulkPriceChange would do now, changing nothing. */
export async function previewBulkPriceChange(ctx: CatalogContext, input: BulkPriceChangeInput): Promise<BulkPriceChange> {
  const valid = validate(input);
  await requireCategory(ctx, valid.selection);
  const result = compute(valid, await selectedPrices(ctx.sql, valid.selection, valid.currency));
  for (const line of result.lines) ctx.loaders.variantById.prime(line.variant.id, line.variant);
  return result;
}

/** Admin: applies the change in one transaction; the result lists every line as applied. */
export async function applyBulkPriceChange(ctx: CatalogContext, input: BulkPriceChangeInput): Promise<BulkPriceChange> {
  const valid = validate(input);
  // Categories are never deleted, so checking before the transaction is enough.
  await requireCategory(ctx, valid.selection);
  const result = await ctx.prisma.$transaction(
    async (tx) => {
      const computed = compute(valid, await lockSelectedPrices(tx, valid.selection, valid.currency));
      const changed = computed.lines.filter((line) => line.newPrice.amountMinor !== line.oldPrice.amountMinor);
      if (changed.length === 0) return computed;
      const byProduct = new Map<string, BulkPriceLine[]>();
      for (const line of changed) byProduct.set(line.productId, [...(byProduct.get(line.productId) ?? []), line]);
      const productIds = [...byProduct.keys()];
      await writeBulkPrices(
        tx,
        valid.currency,
        changed.map((line) => ({ variantId: line.variant.id, amountMinor: line.newPrice.amountMinor })),
        productIds,
      );
      for (const [productId, lines] of byProduct) {
        for (const line of lines) {
          await publishPriceChanged(
            tx,
            {
              productId,
              variantId: line.variant.id,
              sku: line.sku,
              currency: valid.currency,
              previousAmountMinor: line.oldPrice.amountMinor,
              amountMinor: line.newPrice.amountMinor,
            },
            ctx.traceContext,
          );
        }
        await publishProductUpdated(tx, productId, ctx.traceContext);
      }
      const how = valid.change.kind === 'percent' ? { percentBasisPoints: valid.change.basisPoints } : { amountMinor: valid.change.amountMinor };
      await recordAudit(
        ctx,
        tx,
        'applyBulkPriceChange',
        [...byProduct].map(([productId, lines]) => ({
          targetType: 'Product',
          targetId: productId,
          changes: {
            currency: valid.currency,
            change: how,
            prices: lines.map((line) => ({
              variantId: line.variant.id,
              sku: line.sku,
              before: line.oldPrice.amountMinor,
              after: line.newPrice.amountMinor,
            })),
          },
        })),
      );
      return computed;
    },
    // A category-wide change publishes a snapshot per product: more than a usual write's time.
    { timeout: 120_000 },
  );
  for (const line of result.lines) ctx.loaders.variantById.prime(line.variant.id, line.variant);
  return result;
}
