import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCategory,
  createProduct,
  expectNoInternals,
  outboxRows,
  startTestServer,
  tokens,
  truncateAll,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let shirts: string;
let jackets: string;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  auth = await tokens();
  const apparel = await createCategory(server, auth.admin, { name: 'Apparel' });
  shirts = (await createCategory(server, auth.admin, { name: 'Shirts', parentId: apparel.id })).id;
  jackets = (await createCategory(server, auth.admin, { name: 'Jackets', parentId: apparel.id })).id;
});

afterAll(async () => {
  // Leave the shared test database empty for the next file (e2e seeds it).
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
});

const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id slug status variants { id sku } } }`;
const UPDATE = `mutation ($input: UpdateProductInput!) { updateProduct(input: $input) { id name brand description category { id } images { url } updatedAt } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveProduct(input: { id: $id }) { id status } }`;
const SET_PRICES = `mutation ($input: SetVariantPricesInput!) { setVariantPrices(input: $input) { id prices { amountMinor currency } } }`;
const productCount = async (): Promise<number> => server.db.product.count();

const validInput = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Linen Shirt',
  categoryId: shirts,
  variants: [{ sku: `LS-${Math.random().toString(36).slice(2, 8)}`, name: 'M', options: [{ name: 'Size', value: 'M' }], prices: [{ amountMinor: 4999, currency: 'USD' }] }],
  ...overrides,
});

describe('permissions', () => {
  const mutations: [string, string, Record<string, unknown>][] = [
    ['createCategory', `mutation { createCategory(input: { name: "X" }) { id } }`, {}],
    ['createProduct', CREATE, { input: { name: 'X', categoryId: 'x', variants: [] } }],
    ['updateProduct', UPDATE, { input: { id: 'x', name: 'Y' } }],
    ['archiveProduct', ARCHIVE, { id: 'x' }],
    ['setVariantPrices', SET_PRICES, { input: { variantId: 'x', prices: [] } }],
  ];

  it.each(mutations)('%s is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async (_name, query, variables) => {
    const asCustomer = await server.gql(query, { token: auth.customer, variables });
    expect(errorCode(asCustomer)).toBe('FORBIDDEN');
    const anonymous = await server.gql(query, { variables });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(await outboxRows(server.db)).toEqual([]);
  });
});

describe('createCategory', () => {
  it('derives the slug, nests under a parent, and rejects duplicates and unknown parents', async () => {
    const created = await createCategory(server, auth.admin, { name: 'Café Crème', parentId: shirts });
    expect(created.slug).toBe('cafe-creme');
    const duplicate = await server.gql(`mutation { createCategory(input: { name: "Café Crème" }) { id } }`, { token: auth.admin });
    expect(errorCode(duplicate)).toBe('CONFLICT');
    expect(duplicate.errors?.[0]?.extensions?.field).toBe('slug');
    const orphan = await server.gql(`mutation { createCategory(input: { name: "Orphan", parentId: "0193a7d0-0000-7000-8000-000000000001" }) { id } }`, {
      token: auth.admin,
    });
    expect(errorCode(orphan)).toBe('NOT_FOUND');
    const badSlug = await server.gql(`mutation { createCategory(input: { name: "Ok", slug: "Not A Slug" }) { id } }`, { token: auth.admin });
    expect(errorCode(badSlug)).toBe('BAD_USER_INPUT');
    expect(badSlug.errors?.[0]?.extensions?.field).toBe('slug');
  });
});

describe('createProduct', () => {
  it('creates an active product with a derived slug and writes product.created with the full snapshot', async () => {
    const data = await server.ok<{ createProduct: { id: string; slug: string; status: string; variants: { id: string; sku: string }[] } }>(CREATE, {
      token: auth.admin,
      variables: {
        input: {
          name: 'Harbour Oxford Shirt',
          brand: 'Northwind',
          description: 'Soft cotton.',
          categoryId: shirts,
          images: [{ url: 'https://picsum.photos/seed/harbour/800/800', altText: 'Front' }],
          variants: [
            { sku: 'HOS-S', name: 'S', options: [{ name: 'Size', value: 'S' }], prices: [{ amountMinor: 2999, currency: 'USD' }, { amountMinor: 2799, currency: 'EUR' }] },
            { sku: 'HOS-M', name: 'M', options: [{ name: 'Size', value: 'M' }], prices: [{ amountMinor: 3099, currency: 'USD' }] },
          ],
        },
      },
    });
    const product = data.createProduct;
    expect(product).toMatchObject({ slug: 'harbour-oxford-shirt', status: 'ACTIVE' });
    const rows = await outboxRows(server.db, product.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_type: 'product.created',
      topic: 'commerce.product',
      envelope: {
        type: 'product.created',
        aggregateId: product.id,
        payload: {
          productId: product.id,
          slug: 'harbour-oxford-shirt',
          name: 'Harbour Oxford Shirt',
          description: 'Soft cotton.',
          brand: 'Northwind',
          status: 'ACTIVE',
          categoryId: shirts,
          categoryPath: [{ slug: 'apparel' }, { id: shirts, slug: 'shirts', name: 'Shirts' }],
          images: [{ url: 'https://picsum.photos/seed/harbour/800/800', altText: 'Front' }],
          variants: [
            {
              variantId: product.variants[0]?.id,
              sku: 'HOS-S',
              name: 'S',
              options: [{ name: 'Size', value: 'S' }],
              prices: [{ currency: 'EUR', amountMinor: 2799 }, { currency: 'USD', amountMinor: 2999 }],
            },
            { variantId: product.variants[1]?.id, sku: 'HOS-M', prices: [{ currency: 'USD', amountMinor: 3099 }] },
          ],
          ratingAverage: null,
          ratingCount: 0,
        },
      },
    });
  });

  it.each([
    ['an empty name', { name: '   ' }, 'name'],
    ['a malformed slug', { slug: 'Bad Slug!' }, 'slug'],
    ['no variants', { variants: [] }, 'variants'],
    [
      'duplicate SKUs',
      { variants: [{ sku: 'DUP-1', name: 'A', prices: [] }, { sku: 'dup-1', name: 'B', prices: [] }] },
      'variants[1].sku',
    ],
    ['a negative amount', { variants: [{ sku: 'NEG-1', name: 'A', prices: [{ amountMinor: -1, currency: 'USD' }] }] }, 'variants[0].prices[0].amountMinor'],
    [
      'a currency listed twice',
      { variants: [{ sku: 'TWICE-1', name: 'A', prices: [{ amountMinor: 1, currency: 'USD' }, { amountMinor: 2, currency: 'USD' }] }] },
      'variants[0].prices[1].currency',
    ],
    ['a duplicate option name', { variants: [{ sku: 'OPT-1', name: 'A', options: [{ name: 'Size', value: 'S' }, { name: 'size', value: 'M' }], prices: [] }] }, 'variants[0].options[1].name'],
    ['a non-http image URL', { images: [{ url: 'javascript:alert(1)' }] }, 'images[0].url'],
    ['a protocol-relative image URL', { images: [{ url: '//evil.example/x.png' }] }, 'images[0].url'],
    ['a backslash image path', { images: [{ url: '/\\evil.example/x.png' }] }, 'images[0].url'],
    ['a relative image path without a leading slash', { images: [{ url: 'media/x.svg' }] }, 'images[0].url'],
  ])('rejects %s with BAD_USER_INPUT naming the field, and writes nothing', async (_what, overrides, field) => {
    const before = await productCount();
    const result = await server.gql(CREATE, { token: auth.admin, variables: { input: validInput(overrides) } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
    expectNoInternals(result);
    expect(await productCount()).toBe(before);
    expect(await outboxRows(server.db)).toEqual([]);
  });

  it('accepts a root-relative image path (resolved against the storefront) as well as an absolute URL', async () => {
    const images = [
      { url: '/media/products/relative-shirt-1.svg', altText: 'Front' },
      { url: 'http://images.example/relative-shirt-2.png', altText: 'Back' },
    ];
    const data = await server.ok<{ createProduct: { id: string } }>(CREATE, {
      token: auth.admin,
      variables: { input: validInput({ name: 'Relative Image Shirt', images }) },
    });
    const stored = await server.db.productImage.findMany({ where: { productId: data.createProduct.id }, orderBy: { position: 'asc' } });
    expect(stored.map((image) => image.url)).toEqual(images.map((image) => image.url));
  });

  it('rejects amounts beyond 32 bits and unknown currencies at the schema boundary', async () => {
    for (const price of [{ amountMinor: 2 ** 31, currency: 'USD' }, { amountMinor: 1, currency: 'GBP' }, { amountMinor: 1.5, currency: 'USD' }]) {
      const result = await server.gql(CREATE, {
        token: auth.admin,
        variables: { input: validInput({ variants: [{ sku: 'BIG-1', name: 'A', prices: [price] }] }) },
      });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expectNoInternals(result);
    }
  });

  it('answers NOT_FOUND for an unknown category and CONFLICT for a taken slug or SKU, writing nothing', async () => {
    const existing = await createProduct(server, auth.admin, { name: 'Taken Name', categoryId: shirts, variants: [{ sku: 'TAKEN-SKU' }] });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const before = await productCount();

    const unknown = await server.gql(CREATE, { token: auth.admin, variables: { input: validInput({ categoryId: '0193a7d0-0000-7000-8000-000000000001' }) } });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const malformed = await server.gql(CREATE, { token: auth.admin, variables: { input: validInput({ categoryId: 'nope' }) } });
    expect(errorCode(malformed)).toBe('NOT_FOUND');
    const slugTaken = await server.gql(CREATE, { token: auth.admin, variables: { input: validInput({ name: 'Taken Name' }) } });
    expect(errorCode(slugTaken)).toBe('CONFLICT');
    expect(slugTaken.errors?.[0]?.extensions?.field).toBe('slug');
    const skuTaken = await server.gql(CREATE, {
      token: auth.admin,
      variables: { input: validInput({ name: 'Fresh Name', variants: [{ sku: 'taken-sku', name: 'A', prices: [] }] }) },
    });
    expect(errorCode(skuTaken)).toBe('CONFLICT');
    expect(skuTaken.errors?.[0]?.extensions?.field).toBe('variants[0].sku');

    expect(await productCount()).toBe(before);
    expect(await outboxRows(server.db)).toEqual([]);
    expect(existing.slug).toBe('taken-name');
  });

  it('writes the product and its event in one transaction: no event, no product', async () => {
    // Make the outbox insert fail after the product rows are written.
    await server.db.$executeRawUnsafe(
      `ALTER TABLE outbox_events ADD CONSTRAINT test_no_product_created CHECK (event_type <> 'product.created') NOT VALID`,
    );
    try {
      const result = await server.gql(CREATE, { token: auth.admin, variables: { input: validInput({ name: 'Doomed Shirt' }) } });
      expect(errorCode(result)).toBe('INTERNAL_SERVER_ERROR');
      expectNoInternals(result);
    } finally {
      await server.db.$executeRawUnsafe('ALTER TABLE outbox_events DROP CONSTRAINT test_no_product_created');
    }
    expect(await server.db.product.findUnique({ where: { slug: 'doomed-shirt' } })).toBeNull();
    expect(await server.db.productVariant.count({ where: { name: 'M', product: { slug: 'doomed-shirt' } } })).toBe(0);
  });
});

describe('updateProduct and archiveProduct', () => {
  it('changes only the given fields, replaces images, and writes product.updated with the new snapshot', async () => {
    const product = await createProduct(server, auth.admin, {
      name: 'Field Jacket',
      brand: 'Fieldcraft',
      categoryId: shirts,
      images: [{ url: 'https://picsum.photos/seed/a/800/800' }],
    });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const data = await server.ok<{ updateProduct: { name: string; brand: string | null; description: string; category: { id: string }; images: { url: string }[] } }>(UPDATE, {
      token: auth.admin,
      variables: { input: { id: product.id, description: 'Waxed cotton.', categoryId: jackets, images: [{ url: 'https://picsum.photos/seed/b/800/800' }, { url: 'https://picsum.photos/seed/c/800/800' }] } },
    });
    expect(data.updateProduct).toMatchObject({
      name: 'Field Jacket',
      brand: 'Fieldcraft',
      description: 'Waxed cotton.',
      category: { id: jackets },
      images: [{ url: 'https://picsum.photos/seed/b/800/800' }, { url: 'https://picsum.photos/seed/c/800/800' }],
    });
    const cleared = await server.ok<{ updateProduct: { brand: string | null } }>(UPDATE, { token: auth.admin, variables: { input: { id: product.id, brand: null } } });
    expect(cleared.updateProduct.brand).toBeNull();

    const rows = await outboxRows(server.db, product.id);
    expect(rows.map((r) => r.event_type)).toEqual(['product.updated', 'product.updated']);
    expect(rows[0]?.envelope.payload).toMatchObject({
      description: 'Waxed cotton.',
      categoryId: jackets,
      categoryPath: [{ slug: 'apparel' }, { slug: 'jackets' }],
      images: [{ url: 'https://picsum.photos/seed/b/800/800' }, { url: 'https://picsum.photos/seed/c/800/800' }],
      brand: 'Fieldcraft',
    });
    expect(rows[1]?.envelope.payload).toMatchObject({ brand: null });
  });

  it('answers NOT_FOUND for unknown products and categories and BAD_USER_INPUT for bad fields, writing nothing', async () => {
    const product = await createProduct(server, auth.admin, { name: 'Steady Shirt', categoryId: shirts });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const missing = await server.gql(UPDATE, { token: auth.admin, variables: { input: { id: '0193a7d0-0000-7000-8000-000000000001', name: 'X' } } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const badCategory = await server.gql(UPDATE, { token: auth.admin, variables: { input: { id: product.id, categoryId: '0193a7d0-0000-7000-8000-000000000001' } } });
    expect(errorCode(badCategory)).toBe('NOT_FOUND');
    const emptyName = await server.gql(UPDATE, { token: auth.admin, variables: { input: { id: product.id, name: '' } } });
    expect(errorCode(emptyName)).toBe('BAD_USER_INPUT');
    expect(emptyName.errors?.[0]?.extensions?.field).toBe('name');
    const archiveMissing = await server.gql(ARCHIVE, { token: auth.admin, variables: { id: 'nope' } });
    expect(errorCode(archiveMissing)).toBe('NOT_FOUND');
    expect(await outboxRows(server.db)).toEqual([]);
  });

  it('archives once: hidden from listings, one product.updated, and archiving again changes nothing', async () => {
    const product = await createProduct(server, auth.admin, { name: 'Retired Shirt', categoryId: shirts });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const first = await server.ok<{ archiveProduct: { status: string } }>(ARCHIVE, { token: auth.admin, variables: { id: product.id } });
    expect(first.archiveProduct.status).toBe('ARCHIVED');
    const again = await server.ok<{ archiveProduct: { status: string } }>(ARCHIVE, { token: auth.admin, variables: { id: product.id } });
    expect(again.archiveProduct.status).toBe('ARCHIVED');
    const rows = await outboxRows(server.db, product.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_type: 'product.updated', envelope: { payload: { status: 'ARCHIVED' } } });

    const listing = await server.ok<{ products: { edges: { node: { id: string } }[] } }>(`{ products(first: 100) { edges { node { id } } } }`, {
      token: auth.admin,
    });
    expect(listing.products.edges.map((e) => e.node.id)).not.toContain(product.id);
  });
});

describe('setVariantPrices', () => {
  it('upserts prices and writes product.price_changed for each price that changed, plus one product.updated', async () => {
    const product = await createProduct(server, auth.admin, {
      name: 'Priced Shirt',
      categoryId: shirts,
      variants: [{ sku: 'PRICED-1', prices: [{ amountMinor: 1000, currency: 'USD' }, { amountMinor: 900, currency: 'EUR' }] }],
    });
    const variantId = product.variants[0]?.id;
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');

    const data = await server.ok<{ setVariantPrices: { prices: { amountMinor: number; currency: string }[] } }>(SET_PRICES, {
      token: auth.admin,
      variables: { input: { variantId, prices: [{ amountMinor: 1200, currency: 'USD' }, { amountMinor: 900, currency: 'EUR' }] } },
    });
    expect(data.setVariantPrices.prices).toEqual([{ amountMinor: 900, currency: 'EUR' }, { amountMinor: 1200, currency: 'USD' }]);
    let rows = await outboxRows(server.db, product.id);
    expect(rows.map((r) => r.event_type)).toEqual(['product.price_changed', 'product.updated']);
    expect(rows[0]?.envelope.payload).toEqual({
      productId: product.id,
      variantId,
      sku: 'PRICED-1',
      currency: 'USD',
      previousAmountMinor: 1000,
      amountMinor: 1200,
    });
    expect(rows[1]?.envelope.payload).toMatchObject({ variants: [{ prices: [{ currency: 'EUR', amountMinor: 900 }, { currency: 'USD', amountMinor: 1200 }] }] });

    // Setting the same amounts again changes nothing and publishes nothing.
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    await server.ok(SET_PRICES, { token: auth.admin, variables: { input: { variantId, prices: [{ amountMinor: 1200, currency: 'USD' }] } } });
    expect(await outboxRows(server.db)).toEqual([]);

    // A currency the variant had no price in: previous is null.
    const product2 = await createProduct(server, auth.admin, {
      name: 'Dollar Shirt',
      categoryId: shirts,
      variants: [{ sku: 'DOLLAR-1', prices: [{ amountMinor: 500, currency: 'USD' }] }],
    });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    await server.ok(SET_PRICES, { token: auth.admin, variables: { input: { variantId: product2.variants[0]?.id, prices: [{ amountMinor: 450, currency: 'EUR' }] } } });
    rows = await outboxRows(server.db, product2.id);
    expect(rows[0]?.envelope.payload).toMatchObject({ currency: 'EUR', previousAmountMinor: null, amountMinor: 450 });
  });

  it('serializes concurrent changes to one product: no deadlock, and the last snapshot is the final state', async () => {
    const product = await createProduct(server, auth.admin, {
      name: 'Contended Shirt',
      categoryId: shirts,
      variants: [{ sku: 'CONT-1' }, { sku: 'CONT-2' }],
    });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const [v1, v2] = product.variants.map((v) => v.id);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => [
        server.gql(UPDATE, { token: auth.admin, variables: { input: { id: product.id, description: `Edit ${i}` } } }),
        server.gql(SET_PRICES, { token: auth.admin, variables: { input: { variantId: i % 2 ? v1 : v2, prices: [{ amountMinor: 3000 + i, currency: 'USD' }] } } }),
      ]).flat(),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);

    const rows = await outboxRows(server.db, product.id);
    expect(rows.filter((r) => r.event_type === 'product.price_changed')).toHaveLength(8);
    const last = rows.filter((r) => r.event_type === 'product.updated').at(-1)?.envelope.payload as {
      description: string;
      variants: { variantId: string; prices: { currency: string; amountMinor: number }[] }[];
    };
    const final = await server.db.product.findUniqueOrThrow({
      where: { id: product.id },
      include: { variants: { include: { prices: true }, orderBy: { position: 'asc' } } },
    });
    expect(last.description).toBe(final.description);
    expect(last.variants.map((v) => v.prices.find((p) => p.currency === 'USD')?.amountMinor)).toEqual(
      final.variants.map((v) => v.prices.find((p) => p.currency.trim() === 'USD')?.amount),
    );
  });

  it('answers NOT_FOUND for an unknown variant and BAD_USER_INPUT for bad prices, writing nothing', async () => {
    const product = await createProduct(server, auth.admin, { name: 'Unpriced Shirt', categoryId: shirts });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events');
    const missing = await server.gql(SET_PRICES, { token: auth.admin, variables: { input: { variantId: 'nope', prices: [{ amountMinor: 1, currency: 'USD' }] } } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const negative = await server.gql(SET_PRICES, {
      token: auth.admin,
      variables: { input: { variantId: product.variants[0]?.id, prices: [{ amountMinor: -5, currency: 'USD' }] } },
    });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expect(negative.errors?.[0]?.extensions?.field).toBe('prices[0].amountMinor');
    expect(await outboxRows(server.db)).toEqual([]);
  });
});
