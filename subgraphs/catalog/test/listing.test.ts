/**
 * The listing reads its page and the relations its selection names up front
 * (resolvers/lookahead.ts, one statement for products, variants with prices
 * and the first review page). Whatever the selection looks like (aliases,
 * fragments, @skip/@include, variables, a bad cursor), the answer must be
 * what the database holds, and nothing a query does not select is loaded.
 * Expected answers are read with Prisma, independently of the read path.
 */
import { randomUUID } from 'node:crypto';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../src/seed/seed.js';
import { encodeIdCursor } from '../src/service/pagination.js';
import { startTestServer, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  const authorIds = Array.from({ length: 12 }, () => randomUUID());
  await seedCatalog({ prisma: server.db, productCount: 30, publishEvents: false, authorIds });
});

afterAll(async () => {
  // Leave the shared test database empty for the next file.
  if (server) await truncateAll(server.db);
  await server?.stop();
});

interface Expected {
  id: string;
  name: string;
  images: { url: string }[];
  category: { slug: string };
  variants: { sku: string; usd: number | null; eur: number | null }[];
  reviews: { id: string; rating: number }[];
}

/** The newest `count` active products as the database holds them, with everything the queries below read. */
async function expectedProducts(count: number): Promise<Expected[]> {
  const rows = await server.db.product.findMany({
    where: { status: 'ACTIVE' },
    orderBy: { id: 'desc' },
    take: count,
    include: {
      category: true,
      images: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
      variants: { orderBy: [{ position: 'asc' }, { id: 'asc' }], include: { prices: true } },
      reviews: { orderBy: { id: 'desc' } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    images: row.images.map((image) => ({ url: image.url })),
    category: { slug: row.category.slug },
    variants: row.variants.map((variant) => ({
      sku: variant.sku,
      usd: variant.prices.find((price) => price.currency === 'USD')?.amount ?? null,
      eur: variant.prices.find((price) => price.currency === 'EUR')?.amount ?? null,
    })),
    reviews: row.reviews.map((review) => ({ id: review.id, rating: review.rating })),
  }));
}

const range = (amounts: (number | null)[]) => {
  const priced = amounts.filter((amount): amount is number => amount !== null);
  return priced.length ? { min: Math.min(...priced), max: Math.max(...priced) } : null;
};

interface Node {
  id: string;
  name?: string;
  images?: { url: string }[];
  category?: { slug: string };
  variants?: { sku: string; price: { amountMinor: number } | null }[];
  usd: { min: { amountMinor: number }; max: { amountMinor: number } } | null;
  eur: { min: { amountMinor: number } } | null;
  latest: { edges: { node: { id: string } }[] };
  more: { edges: { node: { id: string; rating: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const LISTING = `query ($skipVariants: Boolean!, $withCard: Boolean!, $reviews: Int!) {
  products(first: 6) { edges { node {
    id
    ...Card @include(if: $withCard)
    variants @skip(if: $skipVariants) { sku price(currency: EUR) { amountMinor } }
    usd: priceRange(currency: USD) { min { amountMinor } max { amountMinor } }
    ... on Product { eur: priceRange(currency: EUR) { min { amountMinor } } }
    latest: reviews(first: 1) { edges { node { id } } }
    more: reviews(first: $reviews) { edges { node { id rating } } pageInfo { hasNextPage endCursor } }
  } } }
}
fragment Card on Product { name images { url } category { slug } }`;

describe('listing with its relations loaded up front', () => {
  it('answers aliases, fragments, directives and variables from what the database holds', async () => {
    const expected = await expectedProducts(6);
    for (const variables of [
      { skipVariants: false, withCard: true, reviews: 2 },
      { skipVariants: true, withCard: false, reviews: 5 },
    ]) {
      const data = await server.ok<{ products: { edges: { node: Node }[] } }>(LISTING, { variables });
      const nodes = data.products.edges.map((edge) => edge.node);
      expect(nodes.map((node) => node.id)).toEqual(expected.map((product) => product.id));
      for (const [index, node] of nodes.entries()) {
        const product = expected[index] as Expected;
        if (variables.withCard) {
          expect(node.name).toBe(product.name);
          expect(node.images).toEqual(product.images);
          expect(node.category).toEqual(product.category);
        } else {
          expect(node).not.toHaveProperty('name');
          expect(node).not.toHaveProperty('images');
        }
        if (variables.skipVariants) expect(node).not.toHaveProperty('variants');
        else {
          expect(node.variants).toEqual(
            product.variants.map((variant) => ({ sku: variant.sku, price: variant.eur === null ? null : { amountMinor: variant.eur } })),
          );
        }
        const usd = range(product.variants.map((variant) => variant.usd));
        expect(node.usd).toEqual(usd && { min: { amountMinor: usd.min }, max: { amountMinor: usd.max } });
        const eur = range(product.variants.map((variant) => variant.eur));
        expect(node.eur).toEqual(eur && { min: { amountMinor: eur.min } });
        expect(node.latest.edges.map((edge) => edge.node.id)).toEqual(product.reviews.slice(0, 1).map((review) => review.id));
        expect(node.more.edges.map((edge) => edge.node)).toEqual(product.reviews.slice(0, variables.reviews));
        expect(node.more.pageInfo.hasNextPage).toBe(product.reviews.length > variables.reviews);
        const last = product.reviews.slice(0, variables.reviews).at(-1);
        expect(node.more.pageInfo.endCursor).toBe(last ? encodeIdCursor(last.id) : null);
      }
    }
    // The page really exercises reviews and variants.
    expect(expected.some((product) => product.reviews.length > 2)).toBe(true);
  });

  it('loads what is selected, in one statement per relation, and nothing that is skipped', async () => {
    const statements = async (query: string, variables: Record<string, unknown> = {}): Promise<string[]> => {
      server.queries.length = 0;
      await server.ok(query, { variables });
      return [...server.queries];
    };
    const all = await statements(LISTING, { skipVariants: false, withCard: true, reviews: 2 });
    // The page with variants, prices and the first review page; images; categories; the second review page.
    expect(all).toHaveLength(4);
    const bare = await statements('{ products(first: 6) { edges { node { id name } } } }');
    expect(bare).toHaveLength(1);
    expect(bare[0]).not.toMatch(/product_variants|reviews/);
    const skipped = await statements(
      'query ($no: Boolean!) { products(first: 6) { edges { node { id variants @include(if: $no) { sku } reviews(first: 2) @skip(if: true) { edges { node { id } } } } } } }',
      { no: false },
    );
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).not.toMatch(/product_variants|reviews/);
  });

  it('reports a bad review cursor at the field, as before', async () => {
    const result = await server.gql('{ products(first: 2) { edges { node { id reviews(first: 2, after: "nope") { edges { node { id } } } } } } }');
    expect(errorCode(result)).toBe('INVALID_CURSOR');
    expect(result.errors?.[0]?.path).toEqual(['products', 'edges', 0, 'node', 'reviews']);
  });

  it('answers entity references and the product query like the listing, with their relations loaded up front', async () => {
    const expected = await expectedProducts(4);
    const card = '{ id name variants { sku price(currency: EUR) { amountMinor } } reviews(first: 2) { edges { node { id rating } } } }';
    const byEntities = await server.ok<{ _entities: { id: string }[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product ${card} } }`,
      { variables: { representations: expected.map((product) => ({ __typename: 'Product', id: product.id })) } },
    );
    const listed = await server.ok<{ products: { edges: { node: { id: string } }[] } }>(`{ products(first: 4) { edges { node ${card} } } }`);
    expect(byEntities._entities).toEqual(listed.products.edges.map((edge) => edge.node));
    const single = await server.ok<{ product: { id: string } }>(`query ($id: ID!) { product(id: $id) ${card} }`, {
      variables: { id: expected[0]?.id },
    });
    expect(single.product).toEqual(listed.products.edges[0]?.node);
  });
});
