/**
 * Admin changes to the variants of an existing product: adding one (with its
 * option values and a price per currency) and changing a variant's SKU or
 * options. Each runs in one transaction that locks the product row first (as
 * every catalog writer does), checks `expectedVersion`, moves the product's
 * version on, appends product.updated with the new snapshot to the outbox and
 * records one catalog audit entry filed under the product.
 *
 * Variants are not removed: orders and carts keep naming a variant by id
 * through the graph, and a variant that stops resolving would break them.
 */
import { AppError, ErrorCode, badInput } from '@commerce/errors';
import type { CatalogContext } from '../context.js';
import type { ProductVariant } from '../generated/prisma/client.js';
import { isUniqueViolation, type CatalogTx } from '../data/prisma.js';
import { checkVersion } from './concurrency.js';
import { commitVariantChange, lockProduct, lockVariantOwner } from './product.service.js';
import { MAX_OPTIONS, MAX_VARIANTS, requirePrices, requireSku, requireText, type MoneyInput } from './validation.js';

export interface OptionInput {
  name: string;
  value: string;
}

export interface AddProductVariantInput {
  productId: string;
  /** The product's version the change was made against; unchecked when omitted. */
  expectedVersion?: number | null;
  sku: string;
  /** Derived from the option values (or the SKU) when omitted. */
  name?: string | null;
  options?: OptionInput[] | null;
  prices: MoneyInput[];
}

export interface UpdateProductVariantInput {
  variantId: string;
  expectedVersion?: number | null;
  sku?: string | null;
  name?: string | null;
  /** Replaces every option value when given. */
  options?: OptionInput[] | null;
}

function validOptions(options: readonly OptionInput[], field: string): OptionInput[] {
  if (options.length > MAX_OPTIONS) throw badInput(`A variant has at most ${MAX_OPTIONS} options.`, field);
  const names = new Set<string>();
  return options.map((option, index) => {
    const name = requireText(option.name, `${field}[${index}].name`, 60);
    if (names.has(name.toLowerCase())) throw badInput(`Option ${name} is given twice.`, `${field}[${index}].name`);
    names.add(name.toLowerCase());
    return { name, value: requireText(option.value, `${field}[${index}].value`, 60) };
  });
}

const skuTaken = (sku: string): AppError =>
  new AppError(ErrorCode.SKU_TAKEN, `SKU ${sku} is already used by another variant.`, { details: { field: 'sku' } });

/** Refuses (SKU_TAKEN) a SKU another variant holds, compared case-insensitively as createProduct does. */
async function requireFreeSku(tx: CatalogTx, sku: string, exceptVariantId?: string): Promise<void> {
  const taken = await tx.productVariant.findFirst({
    where: { sku: { equals: sku, mode: 'insensitive' }, ...(exceptVariantId ? { NOT: { id: exceptVariantId } } : {}) },
    select: { id: true },
  });
  if (taken) throw skuTaken(sku);
}

/** A race past requireFreeSku ends on the unique index: the same error. */
function mapSkuViolation(error: unknown, sku: string | undefined): never {
  if (sku !== undefined && isUniqueViolation(error, 'sku')) throw skuTaken(sku);
  throw error;
}

/**
 * Admin: adds a variant at the end of the product's list. Errors:
 * BAD_USER_INPUT (with `field`: sku, name, options[i].name/value,
 * prices[i].amountMinor/currency; at least one price, amounts above zero),
 * NOT_FOUND (product), SKU_TAKEN (field `sku`), CONFLICT (expectedVersion).
 */
export async function addProductVariant(ctx: CatalogContext, input: AddProductVariantInput): Promise<ProductVariant> {
  const sku = requireSku(input.sku, 'sku');
  const options = validOptions(input.options ?? [], 'options');
  const name =
    input.name == null || input.name.trim() === ''
      ? (options.map((option) => option.value).join(' / ') || sku).slice(0, 200)
      : requireText(input.name, 'name', 200);
  if (input.prices.length === 0) throw badInput('A variant needs at least one price.', 'prices');
  const prices = requirePrices(input.prices, 'prices');
  prices.forEach((price, index) => {
    if (price.amountMinor <= 0) throw badInput('A price must be above zero.', `prices[${index}].amountMinor`);
  });
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const before = await lockProduct(tx, input.productId);
      checkVersion('product', before.version, input.expectedVersion);
      const count = await tx.productVariant.count({ where: { productId: before.id } });
      if (count >= MAX_VARIANTS) throw badInput(`A product has at most ${MAX_VARIANTS} variants.`, 'sku');
      await requireFreeSku(tx, sku);
      const last = await tx.productVariant.aggregate({ where: { productId: before.id }, _max: { position: true } });
      const variant = await tx.productVariant.create({
        data: {
          productId: before.id,
          sku,
          name,
          position: (last._max.position ?? -1) + 1,
          options: { create: options.map((option, position) => ({ ...option, position })) },
          prices: { create: prices.map((price) => ({ currency: price.currency, amount: price.amountMinor })) },
        },
      });
      await commitVariantChange(ctx, tx, before, 'addProductVariant', variant.id, {
        sku,
        name,
        options: options.map((option) => ({ ...option })),
        prices: prices.map((price) => ({ ...price })),
      });
      return variant;
    });
  } catch (error) {
    mapSkuViolation(error, sku);
  }
}

/**
 * Admin: changes a variant's SKU, name and option values (omitted ones stay;
 * given options replace all of them). An edit that changes nothing returns
 * the variant as it is (no new version, event or audit entry). Errors:
 * BAD_USER_INPUT (with `field`), NOT_FOUND (variant), SKU_TAKEN (field
 * `sku`), CONFLICT (expectedVersion, the product's).
 */
export async function updateProductVariant(ctx: CatalogContext, input: UpdateProductVariantInput): Promise<ProductVariant> {
  const sku = input.sku == null ? undefined : requireSku(input.sku, 'sku');
  const name = input.name == null ? undefined : requireText(input.name, 'name', 200);
  const options = input.options == null ? undefined : validOptions(input.options, 'options');
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const product = await lockVariantOwner(tx, input.variantId, input.expectedVersion);
      const before = await tx.productVariant.findUniqueOrThrow({
        where: { id: input.variantId },
        include: { options: { orderBy: [{ position: 'asc' }, { name: 'asc' }] } },
      });
      const beforeOptions = before.options.map((option) => ({ name: option.name, value: option.value }));
      const changes: Record<string, { before: unknown; after: unknown }> = {};
      if (sku !== undefined && sku !== before.sku) {
        await requireFreeSku(tx, sku, before.id);
        changes.sku = { before: before.sku, after: sku };
      }
      if (name !== undefined && name !== before.name) changes.name = { before: before.name, after: name };
      if (options !== undefined && JSON.stringify(options) !== JSON.stringify(beforeOptions)) {
        changes.options = { before: beforeOptions, after: options };
      }
      const { options: _options, ...plain } = before;
      if (Object.keys(changes).length === 0) return plain;
      const variant = await tx.productVariant.update({
        where: { id: before.id },
        data: { ...(changes.sku ? { sku } : {}), ...(changes.name ? { name } : {}) },
      });
      if (options !== undefined && changes.options) {
        await tx.variantOption.deleteMany({ where: { variantId: before.id } });
        await tx.variantOption.createMany({
          data: options.map((option, position) => ({ ...option, position, variantId: before.id })),
        });
      }
      await commitVariantChange(ctx, tx, product, 'updateProductVariant', before.id, JSON.parse(JSON.stringify(changes)));
      return variant;
    });
  } catch (error) {
    mapSkuViolation(error, sku);
  }
}
