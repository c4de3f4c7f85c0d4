/**
 * Loads the demo catalog (catalog-data.ts) into a catalog database.
 *
 * Idempotent: every row has a deterministic id and is inserted with
 * INSERT ... ON CONFLICT DO NOTHING,
 * so a second run inserts nothing and changes nothing. Rows already there are
 * left alone, even if an admin edited them since: a seed never overwrites
 * live data (one exception: seeded image URLs still on the external photo
 * host the demo once used move to the storefront's generated images).
 * Categories and products are matched by slug, variants by SKU; when a slug or SKU already belongs to a row the seed did not create, the
 * seed skips that row and everything under it rather than mixing the two.
 *
 * Fast: one `INSERT ... SELECT FROM unnest(...)` per table, in one
 * transaction, not one round trip (or one bind parameter) per row.
 *
 * Events: products the run actually inserts get a product.created outbox
 * row, in the same transaction, like any other creation, so the search
 * subgraph and other read models learn about the demo catalog through the
 * normal relay. A re-run inserts nothing and so publishes nothing.
 */
import { appendToOutbox, ProductCreated, type ProductSnapshot } from '@commerce/events';
import { createCatalogPrisma, type CatalogPrisma, type CatalogTx } from '../data/prisma.js';
import { ratingAverage, snapshotMedia } from '../events/product-snapshot.js';
import { bulkInsert } from './bulk.js';
import { generateCatalog, type SeedCatalogData, type SeedProduct } from './catalog-data.js';

export interface SeedCatalogOptions {
  /** The catalog database to fill (e.g. databaseUrl('catalog', 'test')). */
  databaseUrl?: string;
  /** Use this client instead of opening one (it stays open). */
  prisma?: CatalogPrisma;
  /**
   * Ids of real users (from the users subgraph) to attribute reviews to.
   * Without them no reviews are seeded: an author the users subgraph does not
   * know has no name to show.
   */
  authorIds?: readonly string[];
  /** Default 1,200. */
  productCount?: number;
  /** Write product.created for each product inserted (default true). */
  publishEvents?: boolean;
}

export interface SeedCatalogResult {
  /** Rows the run inserted, per table; all zero on a re-run. */
  inserted: {
    categories: number;
    products: number;
    variants: number;
    prices: number;
    images: number;
    reviews: number;
    events: number;
  };
  /** Products of the demo catalog now present (inserted now or before). */
  products: number;
  durationMs: number;
}

const TRANSACTION_TIMEOUT_MS = 180_000;

/** Seeds the catalog; safe to run any number of times. */
export async function seedCatalog(options: SeedCatalogOptions = {}): Promise<SeedCatalogResult> {
  const started = performance.now();
  const data = generateCatalog({
    ...(options.authorIds ? { authorIds: options.authorIds } : {}),
    ...(options.productCount !== undefined ? { productCount: options.productCount } : {}),
  });
  const prisma = options.prisma ?? createCatalogPrisma(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {});
  try {
    const result = await prisma.$transaction((tx) => load(tx, data, options.publishEvents ?? true), {
      timeout: TRANSACTION_TIMEOUT_MS,
      maxWait: 30_000,
    });
    return { ...result, durationMs: Math.round(performance.now() - started) };
  } finally {
    if (!options.prisma) await prisma.$disconnect();
  }
}

async function load(
  tx: CatalogTx,
  data: SeedCatalogData,
  publishEvents: boolean,
): Promise<Omit<SeedCatalogResult, 'durationMs'>> {
  // Categories, level by level: a child needs its parent's actual id, which
  // is the seed's id unless the slug was taken by someone else's category.
  let insertedCategories = 0;
  const categoryIdBySlug = new Map<string, string>();
  const maxDepth = Math.max(...data.categories.map((c) => c.depth));
  for (let depth = 0; depth <= maxDepth; depth++) {
    const level = data.categories.filter((c) => c.depth === depth);
    const rows = level.flatMap((c) => {
      const parentId = c.parentSlug === null ? null : categoryIdBySlug.get(c.parentSlug);
      return parentId === undefined ? [] : [{ ...c, parentId }];
    });
    insertedCategories += await bulkInsert(tx, 'categories', [
      { name: 'id', type: 'uuid', values: rows.map((c) => c.id) },
      { name: 'slug', type: 'text', values: rows.map((c) => c.slug) },
      { name: 'name', type: 'text', values: rows.map((c) => c.name) },
      { name: 'description', type: 'text', values: rows.map((c) => c.description) },
      { name: 'parent_id', type: 'uuid', values: rows.map((c) => c.parentId) },
      { name: 'position', type: 'int4', values: rows.map((c) => c.position) },
    ]);
    const present = await tx.category.findMany({ where: { slug: { in: level.map((c) => c.slug) } }, select: { id: true, slug: true } });
    for (const row of present) categoryIdBySlug.set(row.slug, row.id);
  }

  // Products whose id is already there were seeded before: no event again.
  const seedIds = data.products.map((p) => p.id);
  const presentIds = async (): Promise<Set<string>> =>
    new Set((await tx.product.findMany({ where: { id: { in: seedIds } }, select: { id: true } })).map((row) => row.id));
  const existed = await presentIds();
  const productRows = data.products.flatMap((p) => {
    const categoryId = categoryIdBySlug.get(p.categorySlug);
    return categoryId ? [{ ...p, categoryId, createdAt: p.createdAt.toISOString() }] : [];
  });
  const insertedProducts = await bulkInsert(tx, 'products', [
    { name: 'id', type: 'uuid', values: productRows.map((p) => p.id) },
    { name: 'slug', type: 'text', values: productRows.map((p) => p.slug) },
    { name: 'name', type: 'text', values: productRows.map((p) => p.name) },
    { name: 'description', type: 'text', values: productRows.map((p) => p.description) },
    { name: 'brand', type: 'text', values: productRows.map((p) => p.brand) },
    { name: 'status', type: '"ProductStatus"', values: productRows.map((p) => p.status) },
    { name: 'category_id', type: 'uuid', values: productRows.map((p) => p.categoryId) },
    { name: 'created_at', type: 'timestamptz', values: productRows.map((p) => p.createdAt) },
    { name: 'updated_at', type: 'timestamptz', values: productRows.map((p) => p.createdAt) },
  ]);
  // Only products that are ours (our id under the slug) get children.
  const ours = await presentIds();
  const products = data.products.filter((p) => ours.has(p.id));

  const images = products.flatMap((p) => p.images.map((image) => ({ ...image, productId: p.id })));
  const insertedImages = await bulkInsert(tx, 'product_images', [
    { name: 'id', type: 'uuid', values: images.map((i) => i.id) },
    { name: 'product_id', type: 'uuid', values: images.map((i) => i.productId) },
    { name: 'url', type: 'text', values: images.map((i) => i.url) },
    { name: 'alt_text', type: 'text', values: images.map((i) => i.altText) },
    { name: 'position', type: 'int4', values: images.map((i) => i.position) },
  ]);
  // Catalogs seeded before the images were generated locally point at an
  // external photo host: move those seeded rows to the local images.
  await tx.$executeRaw`
    UPDATE product_images i SET url = '/media/products/' || p.slug || '-' || (i.position + 1) || '.svg'
    FROM products p
    WHERE p.id = i.product_id AND i.product_id = ANY(${[...ours]}::uuid[]) AND i.url LIKE 'https://picsum.photos/%'`;

  const variants = products.flatMap((p) =>
    p.variants.map((v) => ({ ...v, productId: p.id, createdAt: p.createdAt.toISOString() })),
  );
  const insertedVariants = await bulkInsert(tx, 'product_variants', [
    { name: 'id', type: 'uuid', values: variants.map((v) => v.id) },
    { name: 'product_id', type: 'uuid', values: variants.map((v) => v.productId) },
    { name: 'sku', type: 'text', values: variants.map((v) => v.sku) },
    { name: 'name', type: 'text', values: variants.map((v) => v.name) },
    { name: 'position', type: 'int4', values: variants.map((v) => v.position) },
    { name: 'created_at', type: 'timestamptz', values: variants.map((v) => v.createdAt) },
    { name: 'updated_at', type: 'timestamptz', values: variants.map((v) => v.createdAt) },
  ]);
  // A SKU taken by someone else's variant means that variant is not ours.
  const ourVariantIds = new Set(
    (await tx.productVariant.findMany({ where: { id: { in: variants.map((v) => v.id) } }, select: { id: true } })).map(
      (row) => row.id,
    ),
  );
  const ourVariants = variants.filter((v) => ourVariantIds.has(v.id));
  const options = ourVariants.flatMap((v) => v.options.map((o) => ({ ...o, variantId: v.id })));
  await bulkInsert(tx, 'variant_options', [
    { name: 'variant_id', type: 'uuid', values: options.map((o) => o.variantId) },
    { name: 'name', type: 'text', values: options.map((o) => o.name) },
    { name: 'value', type: 'text', values: options.map((o) => o.value) },
    { name: 'position', type: 'int4', values: options.map((o) => o.position) },
  ]);
  const prices = ourVariants.flatMap((v) => v.prices.map((price) => ({ ...price, variantId: v.id, at: v.createdAt })));
  const insertedPrices = await bulkInsert(tx, 'prices', [
    { name: 'variant_id', type: 'uuid', values: prices.map((p) => p.variantId) },
    { name: 'currency', type: 'bpchar', values: prices.map((p) => p.currency) },
    { name: 'amount', type: 'int4', values: prices.map((p) => p.amount) },
    { name: 'updated_at', type: 'timestamptz', values: prices.map((p) => p.at) },
  ]);

  const productIdBySlug = new Map(products.map((p) => [p.slug, p.id]));
  const reviews = data.reviews.flatMap((r) => {
    const productId = productIdBySlug.get(r.productSlug);
    return productId ? [{ ...r, productId, createdAt: r.createdAt.toISOString() }] : [];
  });
  const insertedReviews = await bulkInsert(tx, 'reviews', [
    { name: 'id', type: 'uuid', values: reviews.map((r) => r.id) },
    { name: 'product_id', type: 'uuid', values: reviews.map((r) => r.productId) },
    { name: 'author_id', type: 'uuid', values: reviews.map((r) => r.authorId) },
    { name: 'rating', type: 'int4', values: reviews.map((r) => r.rating) },
    { name: 'title', type: 'text', values: reviews.map((r) => r.title) },
    { name: 'body', type: 'text', values: reviews.map((r) => r.body) },
    { name: 'created_at', type: 'timestamptz', values: reviews.map((r) => r.createdAt) },
  ]);

  // The aggregate is recomputed from the reviews rather than added to, so it
  // is right however many of the reviews this run inserted.
  await tx.$executeRaw`
    UPDATE products p SET rating_count = agg.count, rating_sum = agg.sum
    FROM (
      SELECT r.product_id, count(*)::int AS count, coalesce(sum(r.rating), 0)::int AS sum
      FROM reviews r WHERE r.product_id = ANY(${[...ours]}::uuid[]) GROUP BY r.product_id
    ) agg
    WHERE p.id = agg.product_id AND (p.rating_count, p.rating_sum) IS DISTINCT FROM (agg.count, agg.sum)`;

  let events = 0;
  if (publishEvents) {
    const created = products.filter((p) => !existed.has(p.id));
    const snapshots = await snapshotsOf(tx, created, categoryIdBySlug, data);
    // Issued without waiting for each other: the transaction's connection
    // runs them one by one anyway, and pipelining saves a round trip each.
    await Promise.all(
      snapshots.map((snapshot) =>
        appendToOutbox(tx, ProductCreated, {
          aggregateId: snapshot.productId,
          payload: snapshot,
          occurredAt: new Date(snapshot.createdAt),
        }),
      ),
    );
    events = snapshots.length;
  }

  return {
    inserted: {
      categories: insertedCategories,
      products: insertedProducts,
      variants: insertedVariants,
      prices: insertedPrices,
      images: insertedImages,
      reviews: insertedReviews,
      events,
    },
    products: products.length,
  };
}

/**
 * product.created snapshots for the inserted products, from the seed data
 * itself (it is exactly what was inserted) plus the rating aggregate as
 * stored: no per-product queries.
 */
async function snapshotsOf(
  tx: CatalogTx,
  products: readonly SeedProduct[],
  categoryIdBySlug: ReadonlyMap<string, string>,
  data: SeedCatalogData,
): Promise<ProductSnapshot[]> {
  if (products.length === 0) return [];
  const ratings = new Map(
    (
      await tx.product.findMany({
        where: { id: { in: products.map((p) => p.id) } },
        select: { id: true, ratingCount: true, ratingSum: true },
      })
    ).map((row) => [row.id, row]),
  );
  const bySlug = new Map(data.categories.map((c) => [c.slug, c]));
  const pathOf = (slug: string): ProductSnapshot['categoryPath'] => {
    const path: ProductSnapshot['categoryPath'] = [];
    for (let c = bySlug.get(slug); c; c = c.parentSlug ? bySlug.get(c.parentSlug) : undefined) {
      path.unshift({ id: categoryIdBySlug.get(c.slug) ?? c.id, slug: c.slug, name: c.name });
    }
    return path;
  };
  return products.map((p) => {
    const rating = ratings.get(p.id);
    const count = rating?.ratingCount ?? 0;
    return {
      productId: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      brand: p.brand,
      status: p.status,
      categoryId: categoryIdBySlug.get(p.categorySlug) ?? '',
      categoryPath: pathOf(p.categorySlug),
      ...snapshotMedia(p),
      ratingAverage: ratingAverage(rating?.ratingSum ?? 0, count),
      ratingCount: count,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.createdAt.toISOString(),
    };
  });
}
