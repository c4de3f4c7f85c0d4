import { databaseUrl } from '@commerce/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogPrisma, type CatalogPrisma } from '../src/data/prisma.js';
import { deterministicUuidV7, generateCatalog } from '../src/seed/catalog-data.js';
import { seedCatalog } from '../src/seed/seed.js';
import { truncateAll } from './helpers.js';

let db: CatalogPrisma;

beforeAll(async () => {
  db = createCatalogPrisma({ databaseUrl: databaseUrl('catalog', 'test') });
  await truncateAll(db);
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (db) await truncateAll(db);
  await db?.$disconnect();
});

/** Row counts plus a digest of every seeded table's content. */
async function fingerprint(): Promise<Record<string, string>> {
  const rows = await db.$queryRaw<{ name: string; value: string }[]>`
    SELECT 'categories' AS name, count(*) || ':' || md5(string_agg(c::text, ',' ORDER BY c.id)) AS value FROM categories c
    UNION ALL SELECT 'products', count(*) || ':' || md5(string_agg(p::text, ',' ORDER BY p.id)) FROM products p
    UNION ALL SELECT 'variants', count(*) || ':' || md5(string_agg(v::text, ',' ORDER BY v.id)) FROM product_variants v
    UNION ALL SELECT 'options', count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY o.variant_id, o.name)) FROM variant_options o
    UNION ALL SELECT 'prices', count(*) || ':' || md5(string_agg(x::text, ',' ORDER BY x.variant_id, x.currency)) FROM prices x
    UNION ALL SELECT 'images', count(*) || ':' || md5(string_agg(i::text, ',' ORDER BY i.id)) FROM product_images i
    UNION ALL SELECT 'reviews', count(*) || ':' || md5(string_agg(r::text, ',' ORDER BY r.id)) FROM reviews r`;
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

describe('seedCatalog', () => {
  it('writes no reviews without real reviewers, whose names could not be shown', () => {
    const catalog = generateCatalog({ productCount: 50 });
    expect(catalog.reviews).toHaveLength(0);
  });

  it('generates the same catalog every time', () => {
    expect(generateCatalog({ productCount: 50 })).toEqual(generateCatalog({ productCount: 50 }));
    expect(deterministicUuidV7('x', Date.UTC(2025, 0, 1))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('loads a realistic catalog once, and a second run changes nothing', async () => {
    const authorIds = Array.from({ length: 60 }, (_, i) => deterministicUuidV7(`reviewer-${i}`, Date.UTC(2026, 0, 1)));
    const first = await seedCatalog({ prisma: db, authorIds });
    const afterFirst = await fingerprint();
    const second = await seedCatalog({ prisma: db, authorIds });
    const afterSecond = await fingerprint();
    console.info(`seed: first run ${first.durationMs} ms (${JSON.stringify(first.inserted)}), second run ${second.durationMs} ms`);

    expect(afterSecond).toEqual(afterFirst);
    expect(first.inserted.products).toBeGreaterThanOrEqual(1000);
    expect(first.inserted.events).toBe(first.inserted.products);
    expect(Object.values(second.inserted).every((count) => count === 0)).toBe(true);
    expect(await db.product.count()).toBe(first.inserted.products);
    // product.created for each product inserted, none for the re-run.
    expect(await db.outboxEvent.count({ where: { eventType: 'product.created' } })).toBe(first.inserted.products);
  });

  it('builds a three-level tree, 1-4 variants with USD and EUR prices, 0-3 images, and consistent ratings', async () => {
    const depths = await db.$queryRaw<{ depth: number; count: number }[]>`
      WITH RECURSIVE t AS (
        SELECT id, 0 AS depth FROM categories WHERE parent_id IS NULL
        UNION ALL SELECT c.id, t.depth + 1 FROM categories c JOIN t ON c.parent_id = t.id
      ) SELECT depth, count(*)::int AS count FROM t GROUP BY depth ORDER BY depth`;
    expect(depths.map((d) => d.depth)).toEqual([0, 1, 2]);
    // Products sit in leaf categories only.
    const nonLeaf = await db.product.count({ where: { category: { children: { some: {} } } } });
    expect(nonLeaf).toBe(0);

    const shape = await db.$queryRaw<{ min_variants: number; max_variants: number; max_images: number; unpriced: number; bad_ratings: number; options_missing: number }[]>`
      SELECT
        (SELECT min(n)::int FROM (SELECT count(*) n FROM product_variants GROUP BY product_id) v) AS min_variants,
        (SELECT max(n)::int FROM (SELECT count(*) n FROM product_variants GROUP BY product_id) v) AS max_variants,
        (SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) n FROM product_images GROUP BY product_id) i) AS max_images,
        (SELECT count(*)::int FROM product_variants v WHERE (SELECT count(*) FROM prices p WHERE p.variant_id = v.id AND p.currency IN ('USD', 'EUR')) <> 2) AS unpriced,
        (SELECT count(*)::int FROM products p WHERE (p.rating_count, p.rating_sum) <> (
          SELECT count(*)::int, coalesce(sum(r.rating), 0)::int FROM reviews r WHERE r.product_id = p.id)) AS bad_ratings,
        (SELECT count(*)::int FROM product_variants v WHERE NOT EXISTS (SELECT 1 FROM variant_options o WHERE o.variant_id = v.id)) AS options_missing`;
    expect(shape[0]).toEqual({ min_variants: 1, max_variants: 4, max_images: 3, unpriced: 0, bad_ratings: 0, options_missing: 0 });
    expect(await db.review.count()).toBeGreaterThan(1000);
    const image = await db.productImage.findFirstOrThrow();
    expect(image.url).toMatch(/^\/media\/products\/[a-z0-9-]+-[1-3]\.svg$/);
  });

  it('moves seeded images still on the old external photo host to the generated local images, and nothing else', async () => {
    const [seeded, other] = await db.productImage.findMany({ orderBy: { id: 'asc' }, take: 2 });
    if (!seeded || !other) throw new Error('the catalog has no images');
    await db.productImage.update({ where: { id: seeded.id }, data: { url: 'https://picsum.photos/seed/old/800/800' } });
    await db.productImage.update({ where: { id: other.id }, data: { url: 'https://cdn.example/edited-by-admin.png' } });
    await seedCatalog({ prisma: db, authorIds: [], publishEvents: false });
    expect((await db.productImage.findUniqueOrThrow({ where: { id: seeded.id } })).url).toBe(seeded.url);
    expect((await db.productImage.findUniqueOrThrow({ where: { id: other.id } })).url).toBe('https://cdn.example/edited-by-admin.png');
  });

  it('attributes reviews to the given users and stays idempotent for them', async () => {
    await truncateAll(db);
    const authorIds = Array.from({ length: 5 }, (_, i) => deterministicUuidV7(`real-user-${i}`, Date.UTC(2026, 0, 1)));
    const first = await seedCatalog({ prisma: db, authorIds, productCount: 100, publishEvents: false });
    const second = await seedCatalog({ prisma: db, authorIds, productCount: 100, publishEvents: false });
    expect(first.inserted.reviews).toBeGreaterThan(0);
    expect(second.inserted.reviews).toBe(0);
    const authors = await db.review.groupBy({ by: ['authorId'] });
    expect(authors.map((a) => a.authorId).sort()).toEqual([...authorIds].sort());
    expect(await db.outboxEvent.count()).toBe(0);
  });
});
