import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCategory,
  createProduct,
  expectNoInternals,
  startTestServer,
  tokens,
  truncateAll,
  type CreatedProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
const cat: Record<string, string> = {};
const products: Record<string, CreatedProduct> = {};

/**
 *   Apparel ─┬─ Men ── Shirts
 *            └─ Women
 *   Electronics
 */
beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  const admin = auth.admin;
  cat.apparel = (await createCategory(server, admin, { name: 'Apparel' })).id;
  cat.electronics = (await createCategory(server, admin, { name: 'Electronics' })).id;
  cat.men = (await createCategory(server, admin, { name: 'Men', parentId: cat.apparel })).id;
  cat.women = (await createCategory(server, admin, { name: 'Women', parentId: cat.apparel })).id;
  cat.shirts = (await createCategory(server, admin, { name: 'Shirts', slug: 'men-shirts', parentId: cat.men })).id;

  products.oxford = await createProduct(server, admin, {
    name: 'Oxford Shirt',
    brand: 'Northwind',
    categoryId: cat.shirts,
    images: [{ url: 'https://picsum.photos/seed/oxford/800/800', altText: 'Front' }, { url: 'https://picsum.photos/seed/oxford-2/800/800' }],
    variants: [
      { sku: 'OX-S', name: 'S / Blue', options: [{ name: 'Size', value: 'S' }, { name: 'Colour', value: 'Blue' }], prices: [{ amountMinor: 2500, currency: 'USD' }, { amountMinor: 2300, currency: 'EUR' }] },
      { sku: 'OX-M', name: 'M / Blue', options: [{ name: 'Size', value: 'M' }, { name: 'Colour', value: 'Blue' }], prices: [{ amountMinor: 1000, currency: 'USD' }] },
      { sku: 'OX-L', name: 'L / Blue', options: [{ name: 'Size', value: 'L' }, { name: 'Colour', value: 'Blue' }], prices: [{ amountMinor: 1500, currency: 'USD' }, { amountMinor: 1400, currency: 'EUR' }] },
    ],
  });
  products.flannel = await createProduct(server, admin, { name: 'Flannel Shirt', categoryId: cat.shirts });
  products.menJacket = await createProduct(server, admin, { name: 'Men Jacket', categoryId: cat.men });
  products.dress = await createProduct(server, admin, { name: 'Wrap Dress', categoryId: cat.women });
  products.headphones = await createProduct(server, admin, {
    name: 'Headphones',
    categoryId: cat.electronics,
    variants: [{ prices: [{ amountMinor: 9900, currency: 'USD' }] }],
  });
  products.archived = await createProduct(server, admin, { name: 'Old Shirt', categoryId: cat.shirts });
  await server.ok(`mutation ($id: ID!) { archiveProduct(input: { id: $id }) { id } }`, {
    token: admin,
    variables: { id: products.archived.id },
  });
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const idsOf = (connection: { edges: { node: { id: string } }[] }): string[] => connection.edges.map((e) => e.node.id);

describe('category tree', () => {
  it('lists top-level categories in creation order and walks down and up the tree', async () => {
    const data = await server.ok<{
      categories: { edges: { node: { slug: string; children: { edges: { node: { slug: string; parent: { slug: string } } }[] } } }[] };
      category: { slug: string; parent: { slug: string }; ancestors: { slug: string }[] };
    }>(`{
      categories { edges { node { slug children { edges { node { slug parent { slug } } } } } } }
      category(slug: "men-shirts") { slug parent { slug } ancestors { slug } }
    }`);
    expect(data.categories.edges.map((e) => e.node.slug)).toEqual(['apparel', 'electronics']);
    const apparel = data.categories.edges[0]?.node;
    expect(apparel?.children.edges.map((e) => e.node.slug)).toEqual(['men', 'women']);
    expect(apparel?.children.edges.every((e) => e.node.parent.slug === 'apparel')).toBe(true);
    expect(data.category).toEqual({ slug: 'men-shirts', parent: { slug: 'men' }, ancestors: [{ slug: 'apparel' }, { slug: 'men' }] });
  });

  it('paginates children with opaque cursors', async () => {
    const page1 = await server.ok<{ category: { children: { edges: { cursor: string; node: { slug: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } }>(
      `query ($id: ID!) { category(id: $id) { children(first: 1) { edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } } }`,
      { variables: { id: cat.apparel } },
    );
    expect(page1.category.children.edges.map((e) => e.node.slug)).toEqual(['men']);
    expect(page1.category.children.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.ok<{ category: { children: { edges: { node: { slug: string } }[]; pageInfo: { hasNextPage: boolean } } } }>(
      `query ($id: ID!, $after: String) { category(id: $id) { children(first: 1, after: $after) { edges { node { slug } } pageInfo { hasNextPage } } } }`,
      { variables: { id: cat.apparel, after: page1.category.children.pageInfo.endCursor } },
    );
    expect(page2.category.children.edges.map((e) => e.node.slug)).toEqual(['women']);
    expect(page2.category.children.pageInfo.hasNextPage).toBe(false);
  });

  it("lists a category's active products including its subcategories', newest first", async () => {
    const data = await server.ok<{ apparel: { products: { edges: { node: { id: string } }[] } }; men: { products: { edges: { node: { id: string } }[] } } }>(
      `query ($apparel: ID!, $men: ID!) {
        apparel: category(id: $apparel) { products { edges { node { id } } } }
        men: category(id: $men) { products { edges { node { id } } } }
      }`,
      { variables: { apparel: cat.apparel, men: cat.men } },
    );
    const { oxford, flannel, menJacket, dress } = products;
    expect(idsOf(data.apparel.products)).toEqual([dress?.id, menJacket?.id, flannel?.id, oxford?.id]);
    expect(idsOf(data.men.products)).toEqual([menJacket?.id, flannel?.id, oxford?.id]);
  });

  it('filters products by category the same way', async () => {
    const data = await server.ok<{ products: { edges: { node: { id: string } }[] } }>(
      `query ($id: ID!) { products(filter: { categoryId: $id }) { edges { node { id } } } }`,
      { variables: { id: cat.men } },
    );
    expect(idsOf(data.products)).toEqual([products.menJacket?.id, products.flannel?.id, products.oxford?.id]);
  });

  it('treats an unknown or malformed category filter as matching nothing', async () => {
    for (const id of ['0193a7d0-0000-7000-8000-000000000001', 'not-an-id']) {
      const data = await server.ok<{ products: { edges: unknown[] } }>(
        `query ($id: ID!) { products(filter: { categoryId: $id }) { edges { cursor } } }`,
        { variables: { id } },
      );
      expect(data.products.edges).toEqual([]);
    }
  });
});

describe('totalCount', () => {
  it('counts every page of top-level categories and of children, not just the page returned', async () => {
    const data = await server.ok<{
      categories: { totalCount: number; edges: { node: { slug: string; children: { totalCount: number; edges: unknown[] } } }[] };
    }>(`{ categories(first: 1) { totalCount edges { node { slug children(first: 1) { totalCount edges { cursor } } } } } }`);
    expect(data.categories.totalCount).toBe(2);
    expect(data.categories.edges).toHaveLength(1);
    expect(data.categories.edges[0]?.node).toMatchObject({ slug: 'apparel', children: { totalCount: 2 } });
    expect(data.categories.edges[0]?.node.children.edges).toHaveLength(1);
  });

  it('counts a leaf category as having no children', async () => {
    const data = await server.ok<{ category: { children: { totalCount: number } } }>(
      `query ($id: ID!) { category(id: $id) { children { totalCount } } }`,
      { variables: { id: cat.shirts } },
    );
    expect(data.category.children.totalCount).toBe(0);
  });

  it("counts a category's active products including its subcategories', archived ones left out", async () => {
    const data = await server.ok<Record<'apparel' | 'men' | 'shirts' | 'electronics', { products: { totalCount: number; edges: unknown[] } }>>(
      `query ($apparel: ID!, $men: ID!, $shirts: ID!, $electronics: ID!) {
        apparel: category(id: $apparel) { products(first: 1) { totalCount edges { cursor } } }
        men: category(id: $men) { products(first: 1) { totalCount edges { cursor } } }
        shirts: category(id: $shirts) { products { totalCount edges { cursor } } }
        electronics: category(id: $electronics) { products { totalCount edges { cursor } } }
      }`,
      { variables: { apparel: cat.apparel, men: cat.men, shirts: cat.shirts, electronics: cat.electronics } },
    );
    expect(data.apparel.products).toMatchObject({ totalCount: 4 });
    expect(data.apparel.products.edges).toHaveLength(1);
    expect(data.men.products.totalCount).toBe(3);
    expect(data.shirts.products.totalCount).toBe(2);
    expect(data.electronics.products.totalCount).toBe(1);
  });

  it('counts Query.products as a whole and with its category filter; an unknown or malformed category counts 0', async () => {
    const data = await server.ok<Record<string, { totalCount: number }>>(
      `query ($men: ID!) {
        all: products(first: 2) { totalCount }
        men: products(first: 1, filter: { categoryId: $men }) { totalCount }
        unknown: products(filter: { categoryId: "0193a7d0-0000-7000-8000-000000000001" }) { totalCount }
        malformed: products(filter: { categoryId: "not-an-id" }) { totalCount }
        empty: products(filter: { categoryId: "" }) { totalCount }
      }`,
      { variables: { men: cat.men } },
    );
    expect(data).toEqual({ all: { totalCount: 5 }, men: { totalCount: 3 }, unknown: { totalCount: 0 }, malformed: { totalCount: 0 }, empty: { totalCount: 0 } });
  });

  it('keeps the same totalCount on every page', async () => {
    const page1 = await server.ok<{ products: { totalCount: number; pageInfo: { endCursor: string } } }>(
      `{ products(first: 2) { totalCount pageInfo { endCursor } } }`,
    );
    const page2 = await server.ok<{ products: { totalCount: number } }>(
      `query ($after: String) { products(first: 2, after: $after) { totalCount } }`,
      { variables: { after: page1.products.pageInfo.endCursor } },
    );
    expect(page2.products.totalCount).toBe(page1.products.totalCount);
  });
});

describe('products', () => {
  it('pages through every active product with no duplicates and no gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const data: { products: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await server.ok(`query ($after: String) { products(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`, {
          variables: { after },
        });
      seen.push(...idsOf(data.products));
      if (!data.products.pageInfo.hasNextPage) break;
      after = data.products.pageInfo.endCursor;
    }
    const active = [products.headphones, products.dress, products.menJacket, products.flannel, products.oxford].map((p) => p?.id);
    expect(seen).toEqual(active);
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first is id DESC (uuid v7).
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('rejects a garbage cursor with INVALID_CURSOR, and a negative page size', async () => {
    for (const after of ['garbage', 'eyJ4IjoxfQ', Buffer.from(JSON.stringify(['not-a-uuid'])).toString('base64url')]) {
      const result = await server.gql(`query ($after: String) { products(after: $after) { edges { cursor } } }`, { variables: { after } });
      expect(errorCode(result)).toBe('INVALID_CURSOR');
      expectNoInternals(result);
    }
    const negative = await server.gql(`{ products(first: -1) { edges { cursor } } }`);
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
  });

  it('clamps a huge page size instead of failing', async () => {
    const data = await server.ok<{ products: { edges: unknown[] } }>(`{ products(first: 100000) { edges { cursor } } }`);
    expect(data.products.edges).toHaveLength(5);
  });

  it('finds a product by slug or id with variants, options, prices and images', async () => {
    const query = `query ($id: ID, $slug: String) { product(id: $id, slug: $slug) {
      id slug name brand status category { slug }
      images { url altText }
      variants { sku name options { name value } price(currency: EUR) { amountMinor currency } prices { amountMinor currency } product { slug } }
      usd: priceRange(currency: USD) { min { amountMinor currency } max { amountMinor currency } }
      eur: priceRange(currency: EUR) { min { amountMinor } max { amountMinor } }
      rating { average count }
      createdAt updatedAt
    } }`;
    const bySlug = await server.ok<{ product: Record<string, unknown> }>(query, { variables: { slug: 'oxford-shirt' } });
    const byId = await server.ok<{ product: Record<string, unknown> }>(query, { variables: { id: products.oxford?.id } });
    expect(byId.product).toEqual(bySlug.product);
    expect(bySlug.product).toMatchObject({
      slug: 'oxford-shirt',
      brand: 'Northwind',
      status: 'ACTIVE',
      category: { slug: 'men-shirts' },
      images: [
        { url: 'https://picsum.photos/seed/oxford/800/800', altText: 'Front' },
        { url: 'https://picsum.photos/seed/oxford-2/800/800', altText: '' },
      ],
      variants: [
        {
          sku: 'OX-S',
          name: 'S / Blue',
          options: [{ name: 'Size', value: 'S' }, { name: 'Colour', value: 'Blue' }],
          price: { amountMinor: 2300, currency: 'EUR' },
          prices: [{ amountMinor: 2300, currency: 'EUR' }, { amountMinor: 2500, currency: 'USD' }],
          product: { slug: 'oxford-shirt' },
        },
        { sku: 'OX-M', price: null, prices: [{ amountMinor: 1000, currency: 'USD' }] },
        { sku: 'OX-L', price: { amountMinor: 1400, currency: 'EUR' } },
      ],
      usd: { min: { amountMinor: 1000, currency: 'USD' }, max: { amountMinor: 2500, currency: 'USD' } },
      eur: { min: { amountMinor: 1400 }, max: { amountMinor: 2300 } },
      rating: { average: null, count: 0 },
    });
    expect(bySlug.product.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('gives a null price range in a currency the product is not sold in', async () => {
    const data = await server.ok<{ product: { priceRange: unknown } }>(
      `query ($id: ID!) { product(id: $id) { priceRange(currency: EUR) { min { amountMinor } } } }`,
      { variables: { id: products.headphones?.id } },
    );
    expect(data.product.priceRange).toBeNull();
  });

  it('finds a variant by SKU or id', async () => {
    const variantId = products.oxford?.variants[1]?.id;
    const data = await server.ok<{ bySku: { id: string; product: { slug: string } }; byId: { sku: string } }>(
      `query ($id: ID!) { bySku: productVariant(sku: "OX-M") { id product { slug } } byId: productVariant(id: $id) { sku } }`,
      { variables: { id: variantId } },
    );
    expect(data.bySku).toEqual({ id: variantId, product: { slug: 'oxford-shirt' } });
    expect(data.byId).toEqual({ sku: 'OX-M' });
  });

  it('answers null for unknown or malformed ids, and BAD_USER_INPUT for ambiguous lookups', async () => {
    const data = await server.ok<Record<string, unknown>>(`{
      a: product(id: "nope") { id }
      b: product(id: "0193a7d0-0000-7000-8000-000000000001") { id }
      c: product(slug: "no-such-product") { id }
      d: category(id: "nope") { id }
      e: productVariant(sku: "NOPE") { id }
    }`);
    expect(data).toEqual({ a: null, b: null, c: null, d: null, e: null });
    const both = await server.gql(`{ product(id: "x", slug: "y") { id } }`);
    expect(errorCode(both)).toBe('BAD_USER_INPUT');
    expect(both.errors?.[0]?.extensions?.field).toBeDefined();
    const neither = await server.gql(`{ category { id } }`);
    expect(errorCode(neither)).toBe('BAD_USER_INPUT');
  });

  it('hides archived products from customers and shows them to admins', async () => {
    const query = `query ($id: ID!, $sku: String!) { product(id: $id) { status } productVariant(sku: $sku) { sku } }`;
    const variables = { id: products.archived?.id, sku: products.archived?.variants[0]?.sku };
    const anonymous = await server.ok<{ product: unknown; productVariant: unknown }>(query, { variables });
    expect(anonymous).toEqual({ product: null, productVariant: null });
    const customer = await server.ok<{ product: unknown }>(query, { variables, token: auth.customer });
    expect(customer.product).toBeNull();
    const admin = await server.ok<{ product: { status: string }; productVariant: { sku: string } }>(query, { variables, token: auth.admin });
    expect(admin.product).toEqual({ status: 'ARCHIVED' });
    expect(admin.productVariant).toEqual({ sku: variables.sku });
  });
});

describe('federation', () => {
  it('resolves Product, ProductVariant and Category references, archived products included', async () => {
    const data = await server.ok<{ _entities: ({ name?: string; sku?: string; slug?: string } | null)[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Product { name }
        ... on ProductVariant { sku }
        ... on Category { slug }
      } }`,
      {
        variables: {
          representations: [
            { __typename: 'Product', id: products.oxford?.id },
            { __typename: 'Product', id: products.archived?.id },
            { __typename: 'ProductVariant', id: products.oxford?.variants[2]?.id },
            { __typename: 'Category', id: cat.women },
            { __typename: 'Product', id: '0193a7d0-0000-7000-8000-000000000001' },
          ],
        },
      },
    );
    expect(data._entities).toEqual([{ name: 'Oxford Shirt' }, { name: 'Old Shirt' }, { sku: 'OX-L' }, { slug: 'women' }, null]);
  });
});
