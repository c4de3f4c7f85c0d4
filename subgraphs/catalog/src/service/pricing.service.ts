
import { allReady, whenReady, type MaybePromise } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Product, ProductVariant } from '../generated/prisma/client.js';
import type { PriceRow, VariantRow } from '../data/reads.js';
import { publishPriceChanged, type PriceChange } from '../events/publish.js';
import { commitVariantChange, lockVariantOwner, variantsOf } from './product.service.js';
import { requirePrices, type CurrencyCode, type MoneyInput } from './validation.js';

export interface Money {
  amountMinor: number;
  currency: CurrencyCode;
}

export interface PriceRange {
  min: Money;
  max: Money;
}

export interface SetVariantPricesInput {
  variantId: string;
  prices: MoneyInput[];
  /** The version of the variant's product the change was made against. */
  expectedVersion?: number | null;
}

/**
 * The schema's CurrencyCode enum only holds supported codes; a stray row is
 * skipped, not served. (currency is CHAR(3): a supported code fills it, no padding.)
 */
const isMoney = (price: PriceRow): price is PriceRow & Money => price.currency === 'USD' || price.currency === 'EUR';

/** Price rows are shaped as Money already: served as they are, without a copy per field that reads them. */
function moneyOf(rows: readonly PriceRow[]): Money[] {
  return rows.every(isMoney) ? (rows as (PriceRow & Money)[]) : rows.filter(isMoney);
}

/** Every price of the variant, one per currency. */
export function pricesOf(ctx: CatalogContext, variant: VariantRow): MaybePromise<Money[]> {
  return whenReady(ctx.loaders.pricesByVariant.get(variant.id), moneyOf);
}

/** The variant's price in the currency, or null when it is not sold in it. */
export function priceOf(ctx: CatalogContext, variant: VariantRow, currency: CurrencyCode): MaybePromise<Money | null> {
  return whenReady(pricesOf(ctx, variant), (prices) => prices.find((price) => price.currency === currency) ?? null);
}

/** Lowest and highest variant price in the currency; null when no variant is priced in it. */
export function priceRangeOf(ctx: CatalogContext, product: Product, currency: CurrencyCode): MaybePromise<PriceRange | null> {
  return whenReady(variantsOf(ctx, product), (variants) =>
    whenReady(allReady(variants.map((variant) => priceOf(ctx, variant, currency))), rangeOf),
  );
}

function rangeOf(prices: readonly (Money | null)[]): PriceRange | null {
  let range: PriceRange | null = null;
  for (const price of prices) {
    if (!price) continue;
    if (!range) range = { min: price, max: price };
    else {
      if (price.amountMinor < range.min.amountMinor) range.min = price;
      if (price.amountMinor > range.max.amountMinor) range.max = price;
    }
  }
  return range;
}

/**
 * Admin: upserts one price per listed currency (others stay as they are) and
 * publishes product.price_changed for each price whose amount changed,
 * with the previous amount (null for a new currency), then product.updated
 * once; the product's version moves on and the change is recorded in the
 * audit log. Setting a price to its current amount changes and publishes
 * nothing. Errors: BAD_USER_INPUT (with `field`), NOT_FOUND (variant),
 * CONFLICT (`expectedVersion`, the product's, is not current).
 */
export async function setVariantPrices(ctx: CatalogContext, input: SetVariantPricesInput): Promise<ProductVariant> {
  const prices = requirePrices(input.prices, 'prices');
  return ctx.prisma.$transaction(async (tx) => {
    // The product row first, as every catalog writer does (then the variant),
    // so two concurrent price changes see each other's result as their
    // "previous" amount, in commit order, and never deadlock with a bulk change.
    const product = await lockVariantOwner(tx, input.variantId, input.expectedVersion);
    await tx.$queryRaw`SELECT id FROM product_variants WHERE id = ${input.variantId}::uuid FOR UPDATE`;
    const variant = await tx.productVariant.findUniqueOrThrow({ where: { id: input.variantId }, include: { prices: true } });
    const current = new Map(variant.prices.map((price) => [price.currency.trim(), price.amount]));
    const changes: PriceChange[] = [];
    for (const price of prices) {
      const previous = current.get(price.currency);
      if (previous === price.amountMinor) continue;
      await tx.price.upsert({
        where: { variantId_currency: { variantId: variant.id, currency: price.currency } },
        create: { variantId: variant.id, currency: price.currency, amount: price.amountMinor },
        update: { amount: price.amountMinor },
      });
      changes.push({
        productId: variant.productId,
        variantId: variant.id,
        sku: variant.sku,
        currency: price.currency,
        previousAmountMinor: previous ?? null,
        amountMinor: price.amountMinor,
      });
    }
    if (changes.length > 0) {
      for (const change of changes) await publishPriceChanged(tx, change, ctx.traceContext);
      // Read models that keep product snapshots (search) get the new prices
      // from product.updated, as they get every other change; the product
      // row is touched so the snapshot's updatedAt moves too.
      await commitVariantChange(ctx, tx, product, 'setVariantPrices', variant.id, {
        sku: variant.sku,
        prices: changes.map((change) => ({ currency: change.currency, before: change.previousAmountMinor, after: change.amountMinor })),
      });
    }
    const { prices: _prices, ...plain } = variant;
    return plain;
  });
}
