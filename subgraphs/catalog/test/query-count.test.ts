/**
 * A listing page must cost a constant number of SQL statements, whatever its
 * size: every relation is batched per request. Measured by the statements the
 * subgraph's Prisma client actually sends (query events), for a page of 5 and
 * a page of 20 products with everything a product card and a product page
 * show.
 */
import { randomUUID } from 'node:crypto';
import { tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../src/seed/seed.js';
import { startTestServer, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  // 62 products over 31 leaf categories, with variants, prices, images and reviews
  // (the seed writes reviews only when given reviewers).
  const authorIds = Array.from({ length: 20 }, () => randomUUID());
  await seedCatalog({ prisma: server.db, productCount: 62, publishEvents: false, authorIds });
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const PRODUCT_FIELDS = `
  id slug name brand status createdAt
  category { id name parent { name } ancestors { slug } }
  images { url altText }
  variants { sku name options { name value } prices { amountMinor currency } price(currency: USD) { amountMinor } product { id } }
  usd: priceRange(currency: USD) { min { amountMinor } max { amountMinor } }
  eur: priceRange(currency: EUR) { min { amountMinor } max { amountMinor } }
  rating { average count }
  reviews(first: 3) { totalCount edges { node { rating title author { id } product { id } } } }
`;

const LISTING = `query ($first: Int!) { products(first: $first) { edges { node { ${PRODUCT_FIELDS} } } pageInfo { hasNextPage } } }`;

const CATEGORY_LISTING = `query ($first: Int!) {
  categories { edges { node { name children { edges { node { name products(first: $first) { edges { node { ${PRODUCT_FIELDS} } } } } } } } } }
}`;

interface Listing {
  products: { edges: { node: { variants: unknown[]; reviews: { edges: unknown[] }; images: unknown[] } }[] };
}

async function countQueries<T>(run: () => Promise<T>): Promise<{ count: number; result: T; statements: string[] }> {
  server.queries.length = 0;
  const result = await run();
  const statements = [...server.queries];
  return { count: statements.length, result, statements };
}

describe('query count', () => {
  it('costs the same number of statements for 5 and for 20 products', async () => {
    const small = await countQueries(() => server.ok<Listing>(LISTING, { variables: { first: 5 } }));
    const large = await countQueries(() => server.ok<Listing>(LISTING, { variables: { first: 20 } }));
    expect(small.result.products.edges).toHaveLength(5);
    expect(large.result.products.edges).toHaveLength(20);
    // The page really exercises every relation.
    const nodes = large.result.products.edges.map((e) => e.node);
    expect(nodes.some((n) => n.reviews.edges.length > 0)).toBe(true);
    expect(nodes.some((n) => n.images.length > 0)).toBe(true);
    expect(nodes.every((n) => n.variants.length > 0)).toBe(true);

    console.info(`listing: ${small.count} statements for 5 products, ${large.count} for 20`);
    expect(large.count).toBe(small.count);
    // The page with its variants, prices and first review page in one statement; then categories,
    // ancestors, images, options and review counts.
    expect(large.count).toBeLessThanOrEqual(6);
  });

  it('costs the same for nested category listings of 1 and of 5 products per category', async () => {
    const small = await countQueries(() => server.ok(CATEGORY_LISTING, { variables: { first: 1 } }));
    const large = await countQueries(() => server.ok(CATEGORY_LISTING, { variables: { first: 5 } }));
    console.info(`category tree listing: ${small.count} statements for 1 product per category, ${large.count} for 5`);
    expect(large.count).toBe(small.count);
  });

  it('counts every connection of a category tree with one COUNT statement per kind of connection, not one per category', async () => {
    const TREE = `{
      categories { totalCount edges { node {
        products(first: 1) { totalCount }
        children { totalCount edges { node {
          products(first: 1) { totalCount }
          children { totalCount edges { node { products(first: 1) { totalCount } } } }
        } } }
      } } }
      products(first: 1) { totalCount }
    }`;
    const withCounts = await countQueries(() => server.ok(TREE));
    const withoutCounts = await countQueries(() => server.ok(TREE.replaceAll('totalCount', '__typename')));
    const counts = withCounts.statements.filter((sql) => /count\(/i.test(sql));
    console.info(`category tree: ${withoutCounts.count} statements, ${withCounts.count} with every totalCount`);
    // Per level of the tree: one count of children (top level included) and one of subtree products;
    // plus the whole catalog. Never one per category.
    expect(counts.length).toBeLessThanOrEqual(3 * 2 + 1);
    expect(withCounts.count - withoutCounts.count).toBe(counts.length);
    // Counts are only computed when asked for.
    expect(withoutCounts.statements.filter((sql) => /count\(/i.test(sql))).toEqual([]);
  });

  it('costs the same for an admin product list page of 5 and of 20, filtered and counted', async () => {
    const admin = (await tokenFor({ roles: ['ADMIN'] })).token;
    const ADMIN_LISTING = `query ($first: Int!) {
      adminProducts(first: $first, filter: { status: [ACTIVE, DRAFT] }) { totalCount edges { node { ${PRODUCT_FIELDS} version } } }
    }`;
    type AdminListing = { adminProducts: { totalCount: number; edges: unknown[] } };
    const small = await countQueries(() => server.ok<AdminListing>(ADMIN_LISTING, { token: admin, variables: { first: 5 } }));
    const large = await countQueries(() => server.ok<AdminListing>(ADMIN_LISTING, { token: admin, variables: { first: 20 } }));
    expect(small.result.adminProducts.edges).toHaveLength(5);
    expect(large.result.adminProducts.edges).toHaveLength(20);
    expect(large.result.adminProducts.totalCount).toBe(62);
    console.info(`adminProducts: ${small.count} statements for 5 products, ${large.count} for 20`);
    expect(large.count).toBe(small.count);
  });

  it('resolves 5 or 20 entity references in the same number of statements', async () => {
    const ids = (await server.db.product.findMany({ select: { id: true }, take: 20, orderBy: { id: 'asc' } })).map((p) => p.id);
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { ${PRODUCT_FIELDS} } } }`;
    const entities = (n: number) => ({ representations: ids.slice(0, n).map((id) => ({ __typename: 'Product', id })) });
    const small = await countQueries(() => server.ok(query, { variables: entities(5) }));
    const large = await countQueries(() => server.ok(query, { variables: entities(20) }));
    console.info(`_entities: ${small.count} statements for 5 references, ${large.count} for 20`);
    expect(large.count).toBe(small.count);
  });
});
