/**
 * Products and their variants: what a caller may see, the storefront listings
 * (newest first, by category subtree), and the admin changes to a product.
 * Use this service for anything that reads or changes a product or variant
 * other than prices (pricing.service) and reviews (review.service).
 *
 * Visibility: only ACTIVE products are shown to the storefront. Admins also
 * see DRAFT and ARCHIVED products by id or slug; listings are always ACTIVE
 * only, as the contract says. Entity references from other subgraphs resolve
 * whatever the status: an order placed last year still names its product.
 *
 * Every change runs in one transaction that also appends its event to the
 * outbox (product.created / product.updated), so no change goes unpublished
 * and no event describes a change that rolled back.
 */
import { AppError, ErrorCode, badInput, notFound } from '@commerce/errors';
import { isAdmin } from '@commerce/auth';
import { whenReady, type MaybePromise } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Category, Prisma, Product, ProductImage, VariantOption } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { ALL_ACTIVE_PRODUCTS, primeListing, primeProducts } from '../data/loaders.js';
import { isUniqueViolation, type CatalogTx } from '../data/prisma.js';
import { activeProducts, adminProductCount, adminProducts, type AdminProductQuery, type VariantRow } from '../data/reads.js';
import { publishProductCreated, publishProductUpdated } from '../events/publish.js';
import { diff, recordAudit } from './audit.service.js';
import { checkVersion } from './concurrency.js';
import type { PageArgs } from './category.service.js';
import { decodeIdCursor, idConnection, pageSize, type Connection } from './pagination.js';
import { listingRelations, loadProductNeeds, type ProductNeeds } from './product-needs.js';
import {
  MAX_IMAGES,
  MAX_OPTIONS,
  MAX_VARIANTS,
  exactlyOne,
  optionalText,
  requireImageUrl,
  requirePrices,
  requireSku,
  requireSlug,
  requireText,
  slugify,
  type MoneyInput,
  type ValidMoney,
} from './validation.js';

export interface ImageInput {
  url: string;
  altText?: string | null;
}

export interface CreateVariantInput {
  sku: string;
  name: string;
  options?: { name: string; value: string }[] | null;
  prices: MoneyInput[];
}

export type ProductStatus = Product['status'];

export interface CreateProductInput {
  name: string;
  /** DRAFT or ACTIVE; ACTIVE when omitted. */
  status?: ProductStatus | null;
  slug?: string | null;
  description?: string | null;
  brand?: string | null;
  categoryId: string;
  images?: ImageInput[] | null;
  variants: CreateVariantInput[];
}

export interface UpdateProductInput {
  id: string;
  name?: string | null;
  description?: string | null;
  /** Omitted: unchanged; null: cleared. */
  brand?: string | null;
  categoryId?: string | null;
  /** Replaces every image when given. */
  images?: ImageInput[] | null;
  expectedVersion?: number | null;
}

export interface ProductStatusInput {
  id: string;
  expectedVersion?: number | null;
}

export interface ProductFilter {
  categoryId?: string | null;
}

export interface AdminProductFilter {
  search?: string | null;
  status?: ProductStatus[] | null;
  categoryId?: string | null;
}

/**
 * A page of products plus what `totalCount` counts (lazily, only when asked):
 * every active product, those of one category subtree, or none (a filter on
 * an id that cannot exist).
 */
export type ProductCountScope =
  | { kind: 'all' }
  | { kind: 'subtree'; categoryId: string }
  | { kind: 'none' }
  | { kind: 'admin'; query: AdminProductQuery };
export type ProductConnection = Connection<Product> & { countScope: ProductCountScope };

/** Whether the caller may see this product outside entity references. */
export function isVisibleTo(ctx: CatalogContext, product: Product): boolean {
  return product.status === 'ACTIVE' || isAdmin(ctx.identity);
}

/**
 * A product by id or slug (exactly one); null when missing or hidden from the
 * caller. `needs`: what the query reads of it, loaded with it.
 */
export async function findProduct(
  ctx: CatalogContext,
  args: { id?: string | null; slug?: string | null },
  needs?: ProductNeeds,
): Promise<Product | null> {
  const key = exactlyOne({ name: 'id', value: args.id }, { name: 'slug', value: args.slug });
  const product =
    key.by === 'id' ? await ctx.loaders.productById.load(key.value) : await ctx.loaders.productBySlug.load(key.value);
  if (!product || !isVisibleTo(ctx, product)) return null;
  if (needs) await loadProductNeeds(ctx, [product], needs);
  return product;
}

/**
 * A product referenced by another subgraph (`_entities`). Not filtered by
 * status: the referencing subgraph already holds the id legitimately (a cart
 * line, an order), and a reference that suddenly resolves to null would break
 * its non-null fields.
 */
export async function productReference(ctx: CatalogContext, id: string, needs?: ProductNeeds): Promise<Product | null> {
  const product = await ctx.loaders.productById.load(id);
  // Every reference of an `_entities` call gets here in the same tick: their needs load as one batch per relation.
  if (product && needs) await loadProductNeeds(ctx, [product], needs);
  return product;
}

/** Active products, newest first, optionally within a category subtree; `needs` are loaded for the page. */
export async function listProducts(
  ctx: CatalogContext,
  args: PageArgs & { filter?: ProductFilter | null },
  needs?: ProductNeeds,
): Promise<ProductConnection> {
  const first = pageSize(args.first, 20);
  const after = decodeIdCursor(args.after);
  const categoryId = args.filter?.categoryId;
  if (categoryId != null) {
    // An id that cannot exist matches nothing, like any other unknown category.
    if (!isUuid(categoryId)) return { ...idConnection<Product>([], first), countScope: { kind: 'none' } };
    return productsInSubtree(ctx, categoryId, first, after, needs);
  }
  // Variants and the first review page come in the listing's own statement; the rest of `needs` after it.
  const relations = listingRelations(needs);
  const listed = await activeProducts(ctx.sql, first + 1, after, relations);
  primeListing(ctx.loaders, listed, relations);
  const rows = listed.map((entry) => entry.product);
  if (needs) await loadProductNeeds(ctx, rows.slice(0, first), needs);
  return { ...idConnection(rows, first), countScope: { kind: 'all' } };
}

/** Active products in the category and all its subcategories, newest first. */
export async function productsOfCategory(
  ctx: CatalogContext,
  category: Category,
  args: PageArgs,
  needs?: ProductNeeds,
): Promise<ProductConnection> {
  const first = pageSize(args.first, 20);
  return productsInSubtree(ctx, category.id, first, decodeIdCursor(args.after), needs);
}

async function productsInSubtree(
  ctx: CatalogContext,
  categoryId: string,
  first: number,
  after: string | null,
  needs: ProductNeeds | undefined,
): Promise<ProductConnection> {
  const rows = await ctx.loaders.activeProductsInCategoryPage.load({ parent: categoryId, limit: first + 1, after });
  primeProducts(ctx.loaders, rows);
  // The pages of every category of a request settle in one batch, so their needs load together too.
  if (needs) await loadProductNeeds(ctx, rows.slice(0, first), needs);
  return { ...idConnection(rows, first), countScope: { kind: 'subtree', categoryId } };
}

/**
 * Every product the connection lists across all its pages (active ones, like
 * the listing). Counted only when a client asks; the subtrees of a whole page
 * of categories are counted in one statement.
 */
export async function productCountOf(ctx: CatalogContext, connection: ProductConnection): Promise<number> {
  const scope = connection.countScope;
  switch (scope.kind) {
    case 'none':
      return 0;
    case 'all':
      return ctx.loaders.activeProductCount.load(ALL_ACTIVE_PRODUCTS);
    case 'subtree':
      return ctx.loaders.activeProductCount.load(scope.categoryId);
    case 'admin':
      return adminProductCount(ctx.sql, scope.query);
  }
}

const SEARCH_MAX_LENGTH = 200;

/**
 * Admin: every product whatever its status (DRAFT and ARCHIVED included),
 * newest first, narrowed by a text search (name, slug, brand or a variant's
 * SKU, case-insensitive substring), statuses and a category subtree.
 * `totalCount` counts what the same filter matches.
 */
export async function listAdminProducts(
  ctx: CatalogContext,
  args: PageArgs & { filter?: AdminProductFilter | null },
  needs?: ProductNeeds,
): Promise<ProductConnection> {
  const first = pageSize(args.first, 20);
  const after = decodeIdCursor(args.after);
  const filter = args.filter ?? {};
  const search = filter.search?.trim() ?? '';
  if (search.length > SEARCH_MAX_LENGTH) {
    throw badInput(`search must be at most ${SEARCH_MAX_LENGTH} characters.`, 'filter.search');
  }
  const categoryId = filter.categoryId ?? null;
  if (categoryId !== null && !isUuid(categoryId)) return { ...idConnection<Product>([], first), countScope: { kind: 'none' } };
  const query: AdminProductQuery = {
    // An empty status list means "any status", as an omitted one does.
    statuses: filter.status?.length ? [...new Set(filter.status)] : null,
    categoryId,
    // LIKE's own wildcards in the search text are matched literally.
    pattern: search === '' ? null : `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  };
  const rows = await adminProducts(ctx.sql, query, first + 1, after);
  primeProducts(ctx.loaders, rows);
  if (needs) await loadProductNeeds(ctx, rows.slice(0, first), needs);
  return { ...idConnection(rows, first), countScope: { kind: 'admin', query } };
}

export function imagesOf(ctx: CatalogContext, product: Product): MaybePromise<ProductImage[]> {
  return ctx.loaders.imagesByProduct.get(product.id);
}

/** Every variant of the product, in display order (the loader primes variantById and their prices). */
export function variantsOf(ctx: CatalogContext, product: Product): MaybePromise<VariantRow[]> {
  return ctx.loaders.variantsByProduct.get(product.id);
}

export function optionsOf(ctx: CatalogContext, variant: VariantRow): MaybePromise<VariantOption[]> {
  return ctx.loaders.optionsByVariant.get(variant.id);
}

/** The product a variant belongs to (a foreign key guarantees it). */
export function productOfVariant(ctx: CatalogContext, variant: VariantRow): MaybePromise<Product> {
  return whenReady(ctx.loaders.productById.get(variant.productId), (product) => {
    if (!product) throw new Error(`Variant ${variant.id} points at missing product ${variant.productId}`);
    return product;
  });
}

/** A variant by id or SKU (exactly one); null when missing or its product is hidden from the caller. */
export async function findVariant(
  ctx: CatalogContext,
  args: { id?: string | null; sku?: string | null },
): Promise<VariantRow | null> {
  const key = exactlyOne({ name: 'id', value: args.id }, { name: 'sku', value: args.sku });
  const variant =
    key.by === 'id' ? await ctx.loaders.variantById.load(key.value) : await ctx.loaders.variantBySku.load(key.value);
  if (!variant) return null;
  const product = await ctx.loaders.productById.load(variant.productId);
  return product && isVisibleTo(ctx, product) ? variant : null;
}

/** A variant referenced by another subgraph; not filtered by status (see productReference). */
export async function variantReference(ctx: CatalogContext, id: string): Promise<VariantRow | null> {
  return ctx.loaders.variantById.load(id);
}

interface ValidVariant {
  sku: string;
  name: string;
  options: { name: string; value: string }[];
  prices: ValidMoney[];
}

function validImages(images: readonly ImageInput[], field: string): { url: string; altText: string }[] {
  if (images.length > MAX_IMAGES) throw badInput(`A product has at most ${MAX_IMAGES} images.`, field);
  return images.map((image, index) => ({
    url: requireImageUrl(image.url, `${field}[${index}].url`),
    altText: optionalText(image.altText, `${field}[${index}].altText`, 300),
  }));
}

function validVariants(variants: readonly CreateVariantInput[]): ValidVariant[] {
  if (variants.length === 0) throw badInput('A product needs at least one variant.', 'variants');
  if (variants.length > MAX_VARIANTS) throw badInput(`A product has at most ${MAX_VARIANTS} variants.`, 'variants');
  const skus = new Set<string>();
  return variants.map((variant, index) => {
    const field = `variants[${index}]`;
    const sku = requireSku(variant.sku, `${field}.sku`);
    // SKUs are compared case-insensitively: "ab-1" and "AB-1" on one shelf is a mistake.
    if (skus.has(sku.toUpperCase())) throw badInput(`SKU ${sku} is used by two variants.`, `${field}.sku`);
    skus.add(sku.toUpperCase());
    const options = variant.options ?? [];
    if (options.length > MAX_OPTIONS) throw badInput(`A variant has at most ${MAX_OPTIONS} options.`, `${field}.options`);
    const optionNames = new Set<string>();
    const validOptions = options.map((option, optionIndex) => {
      const name = requireText(option.name, `${field}.options[${optionIndex}].name`, 60);
      if (optionNames.has(name.toLowerCase())) {
        throw badInput(`Option ${name} is given twice.`, `${field}.options[${optionIndex}].name`);
      }
      optionNames.add(name.toLowerCase());
      return { name, value: requireText(option.value, `${field}.options[${optionIndex}].value`, 60) };
    });
    return {
      sku,
      name: requireText(variant.name, `${field}.name`, 200),
      options: validOptions,
      prices: requirePrices(variant.prices, `${field}.prices`),
    };
  });
}

async function requireCategory(tx: CatalogTx, categoryId: string): Promise<void> {
  const category = isUuid(categoryId) ? await tx.category.findUnique({ where: { id: categoryId }, select: { id: true } }) : null;
  if (!category) throw notFound('Category', categoryId);
}

/**
 * Locks the product row for the rest of the transaction, so concurrent
 * changes to one product apply (and publish their snapshots) one after the
 * other. Throws NOT_FOUND when there is no such product.
 */
export async function lockProduct(tx: CatalogTx, id: string): Promise<Product> {
  const rows = isUuid(id)
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM products WHERE id = ${id}::uuid FOR UPDATE`
    : [];
  if (!rows[0]) throw notFound('Product', id);
  return tx.product.findUniqueOrThrow({ where: { id } });
}

/**
 * How every change to a variant starts: the product that owns it locked
 * (NOT_FOUND when the variant is not there) and the caller's expectedVersion,
 * the product's, checked against it.
 */
export async function lockVariantOwner(tx: CatalogTx, variantId: string, expectedVersion: number | null | undefined): Promise<Product> {
  const owner = isUuid(variantId) ? await tx.productVariant.findUnique({ where: { id: variantId }, select: { productId: true } }) : null;
  if (!owner) throw notFound('Variant', variantId);
  const product = await lockProduct(tx, owner.productId);
  checkVersion('product', product.version, expectedVersion);
  return product;
}

/**
 * How every change to a variant is committed: the product's version moves on
 * (expectedVersion sees it), product.updated tells the read models, and one
 * audit entry naming the variant is filed under the product, whose history an
 * admin reads.
 */
export async function commitVariantChange(
  ctx: CatalogContext,
  tx: CatalogTx,
  product: Pick<Product, 'id' | 'version'>,
  action: string,
  variantId: string,
  changes: Record<string, unknown>,
): Promise<void> {
  await tx.product.update({ where: { id: product.id }, data: { updatedAt: new Date(), version: { increment: 1 } } });
  await publishProductUpdated(tx, product.id, ctx.traceContext);
  await recordAudit(ctx, tx, action, [
    { targetType: 'Product', targetId: product.id, changes: { variantId, ...changes, version: { before: product.version, after: product.version + 1 } } },
  ]);
}

/** Maps a unique violation on slug or SKU (a race past the pre-checks) to CONFLICT. */
function conflictFromUniqueViolation(error: unknown, slug: string): never {
  if (isUniqueViolation(error, 'slug')) {
    throw new AppError(ErrorCode.CONFLICT, `A product with slug "${slug}" already exists.`, { details: { field: 'slug' } });
  }
  if (isUniqueViolation(error, 'sku')) {
    throw new AppError(ErrorCode.CONFLICT, 'A SKU is already used by another variant.', { details: { field: 'variants' } });
  }
  throw error;
}

/**
 * Admin: creates an ACTIVE product with its variants, option values, prices
 * and images, and publishes product.created with the full snapshot.
 * Errors: BAD_USER_INPUT (with `field`), NOT_FOUND (category), CONFLICT
 * (slug or SKU taken).
 */
export async function createProduct(ctx: CatalogContext, input: CreateProductInput): Promise<Product> {
  const name = requireText(input.name, 'name', 200);
  const slug = requireSlug(input.slug ?? slugify(name));
  const description = optionalText(input.description, 'description', 10_000);
  const brand = input.brand == null ? null : optionalText(input.brand, 'brand', 120) || null;
  const images = validImages(input.images ?? [], 'images');
  const variants = validVariants(input.variants);
  const status = input.status ?? 'ACTIVE';
  if (status === 'ARCHIVED') throw badInput('A new product is DRAFT or ACTIVE.', 'status');
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      await requireCategory(tx, input.categoryId);
      if (await tx.product.findUnique({ where: { slug }, select: { id: true } })) {
        throw new AppError(ErrorCode.CONFLICT, `A product with slug "${slug}" already exists.`, { details: { field: 'slug' } });
      }
      const taken = await tx.productVariant.findMany({
        where: { sku: { in: variants.map((v) => v.sku), mode: 'insensitive' } },
        select: { sku: true },
      });
      if (taken[0]) {
        const index = variants.findIndex((v) => v.sku.toUpperCase() === taken[0]?.sku.toUpperCase());
        throw new AppError(ErrorCode.CONFLICT, `SKU ${taken[0].sku} is already used by another variant.`, {
          details: { field: `variants[${Math.max(index, 0)}].sku` },
        });
      }
      const product = await tx.product.create({
        data: {
          slug,
          name,
          description,
          brand,
          status,
          categoryId: input.categoryId,
          images: { create: images.map((image, position) => ({ ...image, position })) },
        },
      });
      // One nested create per variant keeps option and price rows tied to it.
      for (const [position, variant] of variants.entries()) {
        await tx.productVariant.create({
          data: {
            productId: product.id,
            sku: variant.sku,
            name: variant.name,
            position,
            options: { create: variant.options.map((option, index) => ({ ...option, position: index })) },
            prices: { create: variant.prices.map((price) => ({ currency: price.currency, amount: price.amountMinor })) },
          },
        });
      }
      await publishProductCreated(tx, product.id, ctx.traceContext);
      await recordAudit(ctx, tx, 'createProduct', [
        {
          targetType: 'Product',
          targetId: product.id,
          changes: { input: { ...input, slug, status } } as unknown as Prisma.InputJsonObject,
        },
      ]);
      return product;
    });
  } catch (error) {
    conflictFromUniqueViolation(error, slug);
  }
}

/**
 * Admin: changes the given fields (omitted ones stay), replaces the images
 * when a list is given, and publishes product.updated with the new snapshot.
 * With `expectedVersion`, refuses (CONFLICT) a product that changed since.
 */
export async function updateProduct(ctx: CatalogContext, input: UpdateProductInput): Promise<Product> {
  const name = input.name == null ? undefined : requireText(input.name, 'name', 200);
  const description = input.description == null ? undefined : optionalText(input.description, 'description', 10_000);
  const brand =
    input.brand === undefined ? undefined : input.brand === null ? null : optionalText(input.brand, 'brand', 120) || null;
  const images = input.images == null ? undefined : validImages(input.images, 'images');
  return ctx.prisma.$transaction(async (tx) => {
    const before = await lockProduct(tx, input.id);
    checkVersion('product', before.version, input.expectedVersion);
    if (input.categoryId != null) await requireCategory(tx, input.categoryId);
    let imageChange: Prisma.InputJsonObject | undefined;
    if (images) {
      const previous = await tx.productImage.findMany({
        where: { productId: input.id },
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
        select: { url: true, altText: true },
      });
      await tx.productImage.deleteMany({ where: { productId: input.id } });
      await tx.productImage.createMany({
        data: images.map((image, position) => ({ ...image, position, productId: input.id })),
      });
      if (JSON.stringify(previous) !== JSON.stringify(images)) imageChange = { before: previous, after: images };
    }
    const product = await tx.product.update({
      where: { id: input.id },
      data: {
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(brand !== undefined ? { brand } : {}),
        ...(input.categoryId != null ? { categoryId: input.categoryId } : {}),
        // Bumped even when only the images changed: they are part of the product.
        updatedAt: new Date(),
        version: { increment: 1 },
      },
    });
    await publishProductUpdated(tx, product.id, ctx.traceContext);
    const changes = diff(before, product, ['name', 'description', 'brand', 'categoryId', 'version']);
    await recordAudit(ctx, tx, 'updateProduct', [
      { targetType: 'Product', targetId: product.id, changes: imageChange ? { ...changes, images: imageChange } : changes },
    ]);
    return product;
  });
}

/**
 * The status changes an admin makes, each named after its mutation:
 * `from` are the statuses it applies to; a product already at `to` is left
 * as it is (no event, no audit entry, no new version), any other status is
 * INVALID_STATE_TRANSITION.
 */
const TRANSITIONS = {
  publishProduct: { from: ['DRAFT'], to: 'ACTIVE' },
  archiveProduct: { from: ['DRAFT', 'ACTIVE'], to: 'ARCHIVED' },
  // Back to DRAFT, not ACTIVE: a product that was off sale is reviewed before it goes live again.
  restoreProduct: { from: ['ARCHIVED'], to: 'DRAFT' },
} as const satisfies Record<string, { from: readonly ProductStatus[]; to: ProductStatus }>;

export type StatusAction = keyof typeof TRANSITIONS;

/**
 * Admin: publishProduct (DRAFT → ACTIVE), archiveProduct (DRAFT or ACTIVE →
 * ARCHIVED, hidden from the storefront) or restoreProduct (ARCHIVED →
 * DRAFT). Publishes product.updated and records the change, in one
 * transaction. Errors: NOT_FOUND, CONFLICT (expectedVersion),
 * INVALID_STATE_TRANSITION (e.g. publishing an archived product).
 */
export async function changeProductStatus(ctx: CatalogContext, action: StatusAction, input: ProductStatusInput): Promise<Product> {
  const transition = TRANSITIONS[action];
  return ctx.prisma.$transaction(async (tx) => {
    const before = await lockProduct(tx, input.id);
    checkVersion('product', before.version, input.expectedVersion);
    if (before.status === transition.to) return before;
    if (!(transition.from as readonly ProductStatus[]).includes(before.status)) {
      throw new AppError(
        ErrorCode.INVALID_STATE_TRANSITION,
        `A ${before.status} product cannot be changed by ${action}; it applies to ${transition.from.join(' or ')} products.`,
        { details: { field: 'id', status: before.status } },
      );
    }
    const product = await tx.product.update({
      where: { id: input.id },
      data: { status: transition.to, version: { increment: 1 } },
    });
    await publishProductUpdated(tx, product.id, ctx.traceContext);
    await recordAudit(ctx, tx, action, [
      { targetType: 'Product', targetId: product.id, changes: diff(before, product, ['status', 'version']) },
    ]);
    return product;
  });
}
