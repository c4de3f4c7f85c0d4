/**
 * The admin console's side of the catalog (issue 11): status transitions,
 * optimistic concurrency, the admin product list, bulk price changes,
 * category tree edits and the audit log, against the real database.
 */
import { errorCode, tokenFor, type GraphQLResponse } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCategory,
  createProduct,
  expectNoInternals,
  outboxRows,
  startTestServer,
  truncateAll,
  type CreatedProduct,
  type TestServer,
} from './helpers.js';

let server: TestServer;
let admin: string;
let adminId: string;
let customer: string;
const cat = { apparel: '', shirts: '', jackets: '', home: '' };

/**
 *   Apparel ─┬─ Shirts
 *            └─ Jackets
 *   Home
 */
beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  const adminToken = await tokenFor({ roles: ['ADMIN'] });
  admin = adminToken.token;
  adminId = adminToken.userId;
  customer = (await tokenFor({ roles: ['CUSTOMER'] })).token;
  cat.apparel = (await createCategory(server, admin, { name: 'Apparel' })).id;
  cat.shirts = (await createCategory(server, admin, { name: 'Shirts', parentId: cat.apparel })).id;
  cat.jackets = (await createCategory(server, admin, { name: 'Jackets', parentId: cat.apparel })).id;
  cat.home = (await createCategory(server, admin, { name: 'Home' })).id;
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
});

const PUBLISH = `mutation ($input: ProductStatusChangeInput!) { publishProduct(input: $input) { id status version } }`;
const RESTORE = `mutation ($input: ProductStatusChangeInput!) { restoreProduct(input: $input) { id status version } }`;
const ARCHIVE = `mutation ($input: ArchiveProductInput!) { archiveProduct(input: $input) { id status version } }`;
const UPDATE = `mutation ($input: UpdateProductInput!) { updateProduct(input: $input) { id name version } }`;
const SET_PRICES = `mutation ($input: SetVariantPricesInput!) { setVariantPrices(input: $input) { id prices { amountMinor currency } product { version } } }`;
const UPDATE_CATEGORY = `mutation ($input: UpdateCategoryInput!) { updateCategory(input: $input) { id name slug position version parent { id } } }`;
const ADMIN_PRODUCTS = `query ($first: Int, $after: String, $filter: AdminProductFilter) {
  adminProducts(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { node { id name status version } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const BULK_FIELDS = `currency productCount changedCount lines { productId productName sku variant { id sku } oldPrice { amountMinor currency } newPrice { amountMinor currency } }`;
const PREVIEW = `query ($input: BulkPriceChangeInput!) { previewBulkPriceChange(input: $input) { ${BULK_FIELDS} } }`;
const APPLY = `mutation ($input: BulkPriceChangeInput!) { applyBulkPriceChange(input: $input) { ${BULK_FIELDS} } }`;
const AUDIT = `query ($first: Int, $after: String, $filter: AuditLogFilter) {
  catalogAuditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id domain action actorId actor { id } targetType targetId changes at } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AuditNode {
  id: string;
  domain: string;
  action: string;
  actorId: string;
  actor: { id: string } | null;
  targetType: string;
  targetId: string;
  changes: string;
  at: string;
}

async function auditOf(targetId: string): Promise<AuditNode[]> {
  const data = await server.ok<{ catalogAuditLog: { edges: { node: AuditNode }[] } }>(AUDIT, {
    token: admin,
    variables: { first: 100, filter: { targetId } },
  });
  return data.catalogAuditLog.edges.map((edge) => edge.node);
}

const draft = (name: string, extra: Record<string, unknown> = {}): Promise<CreatedProduct> =>
  server
    .ok<{ createProduct: CreatedProduct }>(
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id slug name status variants { id sku } } }`,
      {
        token: admin,
        variables: {
          input: {
            name,
            status: 'DRAFT',
            categoryId: cat.shirts,
            variants: [{ sku: `D-${Math.random().toString(36).slice(2, 10)}`, name: 'One', prices: [{ amountMinor: 1000, currency: 'USD' }] }],
            ...extra,
          },
        },
      },
    )
    .then((data) => data.createProduct);

const versionOf = async (id: string): Promise<number> => (await server.db.product.findUniqueOrThrow({ where: { id } })).version;

function expectConflict(result: GraphQLResponse<unknown>, currentVersion: number): void {
  expect(errorCode(result)).toBe('CONFLICT');
  expect(result.errors?.[0]?.extensions?.currentVersion).toBe(currentVersion);
  expect(result.errors?.[0]?.message).toMatch(/changed by someone else/);
  expectNoInternals(result);
}

describe('permissions', () => {
  const operations: [string, string, Record<string, unknown>][] = [
    ['publishProduct', PUBLISH, { input: { id: 'x' } }],
    ['restoreProduct', RESTORE, { input: { id: 'x' } }],
    ['updateCategory', UPDATE_CATEGORY, { input: { id: 'x', name: 'Y' } }],
    ['applyBulkPriceChange', APPLY, { input: { productIds: ['x'], currency: 'USD', change: { amountMinor: 1 } } }],
    ['previewBulkPriceChange', PREVIEW, { input: { productIds: ['x'], currency: 'USD', change: { amountMinor: 1 } } }],
    ['adminProducts', ADMIN_PRODUCTS, {}],
    ['catalogAuditLog', AUDIT, {}],
  ];

  it.each(operations)('%s is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async (_name, query, variables) => {
    const asCustomer = await server.gql(query, { token: customer, variables });
    expect(errorCode(asCustomer)).toBe('FORBIDDEN');
    expect(asCustomer.data ?? null).toBeNull();
    const anonymous = await server.gql(query, { variables });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);
  });
});

describe('status transitions', () => {
  it('creates a draft hidden from the storefront, publishes it, archives it and restores it to DRAFT, each with product.updated and an audit entry', async () => {
    const product = await draft('Draft Shirt');
    expect(product.status).toBe('DRAFT');
    const hidden = await server.ok<{ product: unknown }>(`query ($id: ID!) { product(id: $id) { id } }`, { variables: { id: product.id } });
    expect(hidden.product).toBeNull();
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');

    const published = await server.ok<{ publishProduct: { status: string; version: number } }>(PUBLISH, {
      token: admin,
      variables: { input: { id: product.id, expectedVersion: 1 } },
    });
    expect(published.publishProduct).toEqual({ id: product.id, status: 'ACTIVE', version: 2 });
    const visible = await server.ok<{ product: { id: string } | null }>(`query ($id: ID!) { product(id: $id) { id } }`, { variables: { id: product.id } });
    expect(visible.product?.id).toBe(product.id);

    // Publishing an ACTIVE product is a no-op: no new version, event or audit entry.
    const again = await server.ok<{ publishProduct: { version: number } }>(PUBLISH, { token: admin, variables: { input: { id: product.id } } });
    expect(again.publishProduct.version).toBe(2);

    const archived = await server.ok<{ archiveProduct: { status: string; version: number } }>(ARCHIVE, {
      token: admin,
      variables: { input: { id: product.id, expectedVersion: 2 } },
    });
    expect(archived.archiveProduct).toMatchObject({ status: 'ARCHIVED', version: 3 });

    const restored = await server.ok<{ restoreProduct: { status: string; version: number } }>(RESTORE, {
      token: admin,
      variables: { input: { id: product.id, expectedVersion: 3 } },
    });
    expect(restored.restoreProduct).toMatchObject({ status: 'DRAFT', version: 4 });

    const rows = await outboxRows(server.db, product.id);
    expect(rows.map((row) => [row.event_type, row.envelope.payload.status])).toEqual([
      ['product.updated', 'ACTIVE'],
      ['product.updated', 'ARCHIVED'],
      ['product.updated', 'DRAFT'],
    ]);
    const audit = await auditOf(product.id);
    expect(audit.map((entry) => entry.action)).toEqual(['restoreProduct', 'archiveProduct', 'publishProduct']);
    expect(audit[2]).toMatchObject({ domain: 'catalog', actorId: adminId, actor: { id: adminId }, targetType: 'Product', targetId: product.id });
    expect(JSON.parse(audit[2]?.changes ?? '{}')).toEqual({
      status: { before: 'DRAFT', after: 'ACTIVE' },
      version: { before: 1, after: 2 },
    });
  });

  it('refuses publishing an archived product and restoring an active one with INVALID_STATE_TRANSITION, changing nothing', async () => {
    const product = await createProduct(server, admin, { name: 'Transition Shirt', categoryId: cat.shirts });
    await server.ok(ARCHIVE, { token: admin, variables: { input: { id: product.id } } });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const publishArchived = await server.gql(PUBLISH, { token: admin, variables: { input: { id: product.id } } });
    expect(errorCode(publishArchived)).toBe('INVALID_STATE_TRANSITION');
    expectNoInternals(publishArchived);

    const active = await createProduct(server, admin, { name: 'Active Shirt', categoryId: cat.shirts });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const restoreActive = await server.gql(RESTORE, { token: admin, variables: { input: { id: active.id } } });
    expect(errorCode(restoreActive)).toBe('INVALID_STATE_TRANSITION');
    expect((await server.db.product.findUniqueOrThrow({ where: { id: active.id } })).status).toBe('ACTIVE');
    expect((await server.db.product.findUniqueOrThrow({ where: { id: product.id } })).status).toBe('ARCHIVED');
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);

    const missing = await server.gql(PUBLISH, { token: admin, variables: { input: { id: '0193a7d0-0000-7000-8000-000000000001' } } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const archivedAtCreate = await server.gql(`mutation { createProduct(input: { name: "Born Archived", status: ARCHIVED, categoryId: "${cat.shirts}", variants: [{ sku: "BA-1", name: "A", prices: [] }] }) { id } }`, { token: admin });
    expect(errorCode(archivedAtCreate)).toBe('BAD_USER_INPUT');
    expect(archivedAtCreate.errors?.[0]?.extensions?.field).toBe('status');
  });
});

describe('optimistic concurrency', () => {
  it('starts products at version 1, moves it on every change, and refuses a stale edit with CONFLICT and currentVersion, changing nothing', async () => {
    const product = await createProduct(server, admin, { name: 'Versioned Shirt', categoryId: cat.shirts });
    expect(await versionOf(product.id)).toBe(1);
    const first = await server.ok<{ updateProduct: { name: string; version: number } }>(UPDATE, {
      token: admin,
      variables: { input: { id: product.id, name: 'Versioned Shirt II', expectedVersion: 1 } },
    });
    expect(first.updateProduct.version).toBe(2);
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');

    // A second admin still holds version 1.
    const stale = await server.gql(UPDATE, { token: admin, variables: { input: { id: product.id, name: 'Overwritten', expectedVersion: 1 } } });
    expectConflict(stale, 2);
    expect(stale.errors?.[0]?.extensions?.field).toBe('expectedVersion');
    const stored = await server.db.product.findUniqueOrThrow({ where: { id: product.id } });
    expect(stored).toMatchObject({ name: 'Versioned Shirt II', version: 2 });

    const stalePrice = await server.gql(SET_PRICES, {
      token: admin,
      variables: { input: { variantId: product.variants[0]?.id, prices: [{ amountMinor: 1, currency: 'USD' }], expectedVersion: 1 } },
    });
    expectConflict(stalePrice, 2);
    const staleArchive = await server.gql(ARCHIVE, { token: admin, variables: { input: { id: product.id, expectedVersion: 1 } } });
    expectConflict(staleArchive, 2);
    const stalePublish = await server.gql(PUBLISH, { token: admin, variables: { input: { id: product.id, expectedVersion: 7 } } });
    expectConflict(stalePublish, 2);

    expect(await server.db.price.findMany({ where: { variantId: product.variants[0]?.id }, orderBy: { currency: 'asc' } })).toMatchObject([
      { currency: 'EUR', amount: 1899 },
      { currency: 'USD', amount: 1999 },
    ]);
    expect((await server.db.product.findUniqueOrThrow({ where: { id: product.id } })).status).toBe('ACTIVE');
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);

    // A price change with the current version applies and moves the version on.
    const priced = await server.ok<{ setVariantPrices: { product: { version: number } } }>(SET_PRICES, {
      token: admin,
      variables: { input: { variantId: product.variants[0]?.id, prices: [{ amountMinor: 2499, currency: 'USD' }], expectedVersion: 2 } },
    });
    expect(priced.setVariantPrices.product.version).toBe(3);
    const audit = await auditOf(product.id);
    expect(audit.map((entry) => entry.action)).toEqual(['setVariantPrices']);
    expect(JSON.parse(audit[0]?.changes ?? '{}')).toMatchObject({
      variantId: product.variants[0]?.id,
      prices: [{ currency: 'USD', before: 1999, after: 2499 }],
      version: { before: 2, after: 3 },
    });
  });

  it('lets exactly one of two admins editing the same version win', async () => {
    const product = await createProduct(server, admin, { name: 'Raced Shirt', categoryId: cat.shirts });
    const results = await Promise.all(
      ['Edit A', 'Edit B'].map((name) => server.gql(UPDATE, { token: admin, variables: { input: { id: product.id, name, expectedVersion: 1 } } })),
    );
    const codes = results.map((result) => errorCode(result) ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const winner = results.find((result) => !result.errors) as GraphQLResponse<{ updateProduct: { name: string } }>;
    expect((await server.db.product.findUniqueOrThrow({ where: { id: product.id } })).name).toBe(winner.data?.updateProduct.name);
    expect(await versionOf(product.id)).toBe(2);
  });

  it('versions categories too', async () => {
    const created = await createCategory(server, admin, { name: 'Versioned Category' });
    const renamed = await server.ok<{ updateCategory: { version: number; name: string } }>(UPDATE_CATEGORY, {
      token: admin,
      variables: { input: { id: created.id, name: 'Renamed Category', expectedVersion: 1 } },
    });
    expect(renamed.updateCategory).toMatchObject({ name: 'Renamed Category', version: 2 });
    const stale = await server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: created.id, name: 'Lost Update', expectedVersion: 1 } } });
    expectConflict(stale, 2);
    expect((await server.db.category.findUniqueOrThrow({ where: { id: created.id } })).name).toBe('Renamed Category');
    await server.db.category.delete({ where: { id: created.id } });
  });
});

describe('adminProducts', () => {
  let products: Record<string, CreatedProduct>;

  beforeAll(async () => {
    await server.db.$executeRawUnsafe('TRUNCATE products CASCADE');
    products = {
      linen: await createProduct(server, admin, { name: 'Linen Shirt', brand: 'Coastline', categoryId: cat.shirts, variants: [{ sku: 'LIN-001' }] }),
      parka: await createProduct(server, admin, { name: 'Parka', categoryId: cat.jackets, variants: [{ sku: 'PARKA-1' }] }),
      draftShirt: await draft('Draft Oxford'),
      percent: await createProduct(server, admin, { name: '100% Cotton Tee', categoryId: cat.shirts }),
      lamp: await createProduct(server, admin, { name: 'Lamp', categoryId: cat.home }),
      retired: await createProduct(server, admin, { name: 'Retired Shirt', categoryId: cat.shirts }),
    };
    await server.ok(ARCHIVE, { token: admin, variables: { input: { id: products.retired?.id } } });
  });

  type Page = { adminProducts: { totalCount: number; edges: { node: { id: string; name: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const list = async (filter: Record<string, unknown> = {}, first = 50, after?: string): Promise<Page['adminProducts']> =>
    (await server.ok<Page>(ADMIN_PRODUCTS, { token: admin, variables: { first, after, filter } })).adminProducts;
  const names = (page: Page['adminProducts']): string[] => page.edges.map((edge) => edge.node.name);

  it('lists every status newest first with a total count, and filters by status, category subtree and search', async () => {
    const all = await list();
    expect(names(all)).toEqual(['Retired Shirt', 'Lamp', '100% Cotton Tee', 'Draft Oxford', 'Parka', 'Linen Shirt']);
    expect(all.totalCount).toBe(6);

    const hidden = await list({ status: ['DRAFT', 'ARCHIVED'] });
    expect(names(hidden)).toEqual(['Retired Shirt', 'Draft Oxford']);
    expect(hidden.totalCount).toBe(2);
    expect(hidden.edges.map((edge) => edge.node.status)).toEqual(['ARCHIVED', 'DRAFT']);

    const apparel = await list({ categoryId: cat.apparel, status: ['ACTIVE'] });
    expect(names(apparel)).toEqual(['100% Cotton Tee', 'Parka', 'Linen Shirt']);
    expect(apparel.totalCount).toBe(3);

    expect(names(await list({ search: 'shirt' }))).toEqual(['Retired Shirt', 'Linen Shirt']);
    expect(names(await list({ search: 'lin-00' }))).toEqual(['Linen Shirt']); // a variant's SKU
    expect(names(await list({ search: 'coast' }))).toEqual(['Linen Shirt']); // the brand
    // LIKE's wildcards are literal: "%" matches only the tee.
    expect(names(await list({ search: '100%' }))).toEqual(['100% Cotton Tee']);
    expect(names(await list({ search: '_' }))).toEqual([]);
    const none = await list({ categoryId: 'not-an-id' });
    expect(none).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('pages with cursors while totalCount counts every match', async () => {
    const first = await list({}, 4);
    expect(first).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true } });
    const second = await list({}, 4, first.pageInfo.endCursor ?? undefined);
    expect(names(second)).toEqual(['Parka', 'Linen Shirt']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('leaves the storefront listing as it was: ACTIVE only, for an admin too', async () => {
    const storefront = await server.ok<{ products: { totalCount: number; edges: { node: { name: string } }[] } }>(
      `{ products(first: 50) { totalCount edges { node { name } } } }`,
      { token: admin },
    );
    expect(storefront.products.edges.map((edge) => edge.node.name)).toEqual(['Lamp', '100% Cotton Tee', 'Parka', 'Linen Shirt']);
    expect(storefront.products.totalCount).toBe(4);
  });
});

describe('bulk price change', () => {
  let a: CreatedProduct;
  let b: CreatedProduct;
  let other: CreatedProduct;

  beforeEach(async () => {
    await server.db.$executeRawUnsafe('TRUNCATE products CASCADE');
    a = await createProduct(server, admin, {
      name: 'Bulk A',
      categoryId: cat.shirts,
      variants: [
        { sku: 'BA-1', prices: [{ amountMinor: 999, currency: 'USD' }, { amountMinor: 900, currency: 'EUR' }] },
        { sku: 'BA-2', prices: [{ amountMinor: 1999, currency: 'USD' }] },
        { sku: 'BA-3', prices: [{ amountMinor: 500, currency: 'EUR' }] },
      ],
    });
    b = await createProduct(server, admin, { name: 'Bulk B', categoryId: cat.jackets, variants: [{ sku: 'BB-1', prices: [{ amountMinor: 5, currency: 'USD' }] }] });
    other = await createProduct(server, admin, { name: 'Bulk Other', categoryId: cat.home, variants: [{ sku: 'BO-1', prices: [{ amountMinor: 3000, currency: 'USD' }] }] });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
  });

  const usdPrices = async (): Promise<Record<string, number>> => {
    const rows = await server.db.price.findMany({ where: { currency: 'USD' }, include: { variant: true } });
    return Object.fromEntries(rows.map((row) => [row.variant.sku, row.amount]));
  };

  it('previews a percentage change by category, rounding half up, and changes nothing', async () => {
    const before = await usdPrices();
    const data = await server.ok<{ previewBulkPriceChange: Record<string, unknown> }>(PREVIEW, {
      token: admin,
      variables: { input: { categoryId: cat.apparel, currency: 'USD', change: { percentBasisPoints: 1000 } } },
    });
    expect(data.previewBulkPriceChange).toEqual({
      currency: 'USD',
      productCount: 2,
      // 5 × 1.1 = 5.5 → 6; 999 × 1.1 = 1098.9 → 1099; 1999 × 1.1 = 2198.9 → 2199. BA-3 has no USD price.
      changedCount: 3,
      lines: [
        { productId: b.id, productName: 'Bulk B', sku: 'BB-1', variant: { id: b.variants[0]?.id, sku: 'BB-1' }, oldPrice: { amountMinor: 5, currency: 'USD' }, newPrice: { amountMinor: 6, currency: 'USD' } },
        { productId: a.id, productName: 'Bulk A', sku: 'BA-1', variant: { id: a.variants[0]?.id, sku: 'BA-1' }, oldPrice: { amountMinor: 999, currency: 'USD' }, newPrice: { amountMinor: 1099, currency: 'USD' } },
        { productId: a.id, productName: 'Bulk A', sku: 'BA-2', variant: { id: a.variants[1]?.id, sku: 'BA-2' }, oldPrice: { amountMinor: 1999, currency: 'USD' }, newPrice: { amountMinor: 2199, currency: 'USD' } },
      ],
    });
    expect(await usdPrices()).toEqual(before);
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);
  });

  it('applies in one transaction with price events, one product.updated per product, new versions and audit entries', async () => {
    const data = await server.ok<{ applyBulkPriceChange: { changedCount: number; productCount: number } }>(APPLY, {
      token: admin,
      variables: { input: { productIds: [a.id, b.id], currency: 'USD', change: { percentBasisPoints: -1500 } } },
    });
    // 999 × 0.85 = 849.15 → 849; 1999 × 0.85 = 1699.15 → 1699; 5 × 0.85 = 4.25 → 4.
    expect(data.applyBulkPriceChange).toMatchObject({ changedCount: 3, productCount: 2 });
    expect(await usdPrices()).toEqual({ 'BA-1': 849, 'BA-2': 1699, 'BB-1': 4, 'BO-1': 3000 });
    // EUR prices are untouched.
    expect((await server.db.price.findMany({ where: { currency: 'EUR' } })).map((row) => row.amount).sort()).toEqual([500, 900]);

    const rowsA = await outboxRows(server.db, a.id);
    expect(rowsA.map((row) => row.event_type)).toEqual(['product.price_changed', 'product.price_changed', 'product.updated']);
    expect(rowsA[0]?.envelope.payload).toEqual({
      productId: a.id,
      variantId: a.variants[0]?.id,
      sku: 'BA-1',
      currency: 'USD',
      previousAmountMinor: 999,
      amountMinor: 849,
    });
    const snapshotVariants = rowsA[2]?.envelope.payload.variants as { sku: string; prices: unknown[] }[];
    expect(snapshotVariants.map((variant) => [variant.sku, variant.prices])).toEqual([
      ['BA-1', [{ currency: 'EUR', amountMinor: 900 }, { currency: 'USD', amountMinor: 849 }]],
      ['BA-2', [{ currency: 'USD', amountMinor: 1699 }]],
      ['BA-3', [{ currency: 'EUR', amountMinor: 500 }]],
    ]);
    expect((await outboxRows(server.db, b.id)).map((row) => row.event_type)).toEqual(['product.price_changed', 'product.updated']);
    expect(await outboxRows(server.db, other.id)).toEqual([]);
    expect(await versionOf(a.id)).toBe(2);
    expect(await versionOf(other.id)).toBe(1);

    const audit = await auditOf(a.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'applyBulkPriceChange', actorId: adminId, targetType: 'Product' });
    expect(JSON.parse(audit[0]?.changes ?? '{}')).toMatchObject({
      currency: 'USD',
      change: { percentBasisPoints: -1500 },
      prices: [{ sku: 'BA-1', before: 999, after: 849 }, { sku: 'BA-2', before: 1999, after: 1699 }],
    });
  });

  it('adds a fixed amount, and refuses (in preview and apply) a change that would take any price to zero or below, changing nothing', async () => {
    const up = await server.ok<{ applyBulkPriceChange: { lines: { sku: string; newPrice: { amountMinor: number } }[] } }>(APPLY, {
      token: admin,
      variables: { input: { productIds: [other.id], currency: 'USD', change: { amountMinor: 250 } } },
    });
    expect(up.applyBulkPriceChange.lines).toMatchObject([{ sku: 'BO-1', newPrice: { amountMinor: 3250 } }]);
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const before = await usdPrices();

    for (const query of [PREVIEW, APPLY]) {
      // BB-1 (5) would go to -95.
      const result = await server.gql(query, {
        token: admin,
        variables: { input: { categoryId: cat.apparel, currency: 'USD', change: { amountMinor: -100 } } },
      });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe('change');
      expect(result.errors?.[0]?.message).toContain('BB-1');
      expectNoInternals(result);
      // -100 % is zero, refused too.
      const zero = await server.gql(query, { token: admin, variables: { input: { productIds: [a.id], currency: 'USD', change: { percentBasisPoints: -10000 } } } });
      expect(errorCode(zero)).toBe('BAD_USER_INPUT');
    }
    expect(await usdPrices()).toEqual(before);
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);
  });

  it('runs beside price edits, product edits and a category move on the same products without deadlocks or lost prices', async () => {
    const ids = [a.id, b.id, other.id];
    const results = await Promise.all([
      server.gql(APPLY, { token: admin, variables: { input: { productIds: ids, currency: 'USD', change: { amountMinor: 100 } } } }),
      server.gql(APPLY, { token: admin, variables: { input: { productIds: [...ids].reverse(), currency: 'USD', change: { amountMinor: 10 } } } }),
      server.gql(APPLY, { token: admin, variables: { input: { categoryId: cat.apparel, currency: 'USD', change: { amountMinor: 1 } } } }),
      server.gql(SET_PRICES, { token: admin, variables: { input: { variantId: b.variants[0]?.id, prices: [{ amountMinor: 1000, currency: 'EUR' }] } } }),
      server.gql(UPDATE, { token: admin, variables: { input: { id: a.id, name: 'Bulk A (edited)' } } }),
      server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: cat.jackets, name: 'Jackets & Coats' } } }),
    ]);
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    // Every increment landed: none read a price another one was about to replace.
    expect(await usdPrices()).toEqual({ 'BA-1': 999 + 111, 'BA-2': 1999 + 111, 'BB-1': 5 + 111, 'BO-1': 3000 + 110 });
    // The last snapshot of each product carries its final USD prices.
    const last = (await outboxRows(server.db, b.id)).filter((row) => row.event_type === 'product.updated').at(-1);
    expect(last).toBeDefined();
    expect((last?.envelope.payload.variants as { prices: { currency: string; amountMinor: number }[] }[] | undefined)?.[0]?.prices).toEqual([
      { currency: 'EUR', amountMinor: 1000 },
      { currency: 'USD', amountMinor: 116 },
    ]);
    await server.ok(UPDATE_CATEGORY, { token: admin, variables: { input: { id: cat.jackets, name: 'Jackets' } } });
  });

  it('rejects inputs that are ambiguous or name unknown products', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ productIds: [a.id], categoryId: cat.apparel, currency: 'USD', change: { amountMinor: 1 } }, 'BAD_USER_INPUT'],
      [{ currency: 'USD', change: { amountMinor: 1 } }, 'BAD_USER_INPUT'],
      [{ productIds: [a.id], currency: 'USD', change: { amountMinor: 1, percentBasisPoints: 100 } }, 'BAD_USER_INPUT'],
      [{ productIds: [a.id], currency: 'USD', change: {} }, 'BAD_USER_INPUT'],
      [{ productIds: [a.id], currency: 'USD', change: { percentBasisPoints: 0 } }, 'BAD_USER_INPUT'],
      [{ productIds: [a.id, '0193a7d0-0000-7000-8000-000000000001'], currency: 'USD', change: { amountMinor: 1 } }, 'NOT_FOUND'],
      [{ productIds: ['nope'], currency: 'USD', change: { amountMinor: 1 } }, 'NOT_FOUND'],
      [{ categoryId: '0193a7d0-0000-7000-8000-000000000001', currency: 'USD', change: { amountMinor: 1 } }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const result = await server.gql(APPLY, { token: admin, variables: { input } });
      expect(errorCode(result), JSON.stringify(input)).toBe(code);
    }
    expect(await outboxRows(server.db)).toEqual([]);
  });
});

describe('category tree edits', () => {
  const CHILDREN = `query ($id: ID!) { category(id: $id) { children { edges { node { name position } } } products { totalCount } } }`;
  type Children = { category: { children: { edges: { node: { name: string; position: number } }[] }; products: { totalCount: number } } };
  const childrenOf = async (id: string): Promise<{ names: string[]; positions: number[]; productCount: number }> => {
    const data = await server.ok<Children>(CHILDREN, { variables: { id } });
    return {
      names: data.category.children.edges.map((edge) => edge.node.name),
      positions: data.category.children.edges.map((edge) => edge.node.position),
      productCount: data.category.products.totalCount,
    };
  };

  it('reorders siblings densely, lists children by position, and records it', async () => {
    const parent = await createCategory(server, admin, { name: 'Reorder Root' });
    const [x, y, z] = [
      await createCategory(server, admin, { name: 'X', slug: 'reorder-x', parentId: parent.id }),
      await createCategory(server, admin, { name: 'Y', slug: 'reorder-y', parentId: parent.id }),
      await createCategory(server, admin, { name: 'Z', slug: 'reorder-z', parentId: parent.id }),
    ];
    await server.db.$executeRawUnsafe('TRUNCATE audit_entries');
    await server.ok(UPDATE_CATEGORY, { token: admin, variables: { input: { id: z?.id, position: 0 } } });
    expect(await childrenOf(parent.id)).toMatchObject({ names: ['Z', 'X', 'Y'], positions: [0, 1, 2] });
    await server.ok(UPDATE_CATEGORY, { token: admin, variables: { input: { id: z?.id, position: 99 } } });
    expect(await childrenOf(parent.id)).toMatchObject({ names: ['X', 'Y', 'Z'], positions: [0, 1, 2] });
    // Already last, same name: nothing changes, no new version, no audit entry.
    const same = await server.ok<{ updateCategory: { version: number } }>(UPDATE_CATEGORY, {
      token: admin,
      variables: { input: { id: z?.id, name: 'Z', position: 2, expectedVersion: 3 } },
    });
    expect(same.updateCategory.version).toBe(3);
    const audit = await auditOf(z?.id ?? '');
    expect(audit.map((entry) => entry.action)).toEqual(['updateCategory', 'updateCategory']);
    expect(JSON.parse(audit[1]?.changes ?? '{}')).toMatchObject({ position: { before: 2, after: 0 }, version: { before: 1, after: 2 } });
    expect(x && y).toBeTruthy();
  });

  it('moves a category with its products, which keep their category and re-publish their new path', async () => {
    const outer = await createCategory(server, admin, { name: 'Outerwear' });
    const coats = await createCategory(server, admin, { name: 'Coats', parentId: outer.id });
    const coat = await createProduct(server, admin, { name: 'Wool Coat', categoryId: coats.id });
    const draftCoat = await draft('Draft Coat', { categoryId: coats.id });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');

    const moved = await server.ok<{ updateCategory: { parent: { id: string } | null; position: number } }>(UPDATE_CATEGORY, {
      token: admin,
      variables: { input: { id: coats.id, parentId: cat.apparel, position: 0, expectedVersion: 1 } },
    });
    expect(moved.updateCategory).toMatchObject({ parent: { id: cat.apparel }, position: 0 });
    expect(await childrenOf(cat.apparel)).toMatchObject({ names: ['Coats', 'Shirts', 'Jackets'], positions: [0, 1, 2] });
    expect((await childrenOf(outer.id)).names).toEqual([]);
    // Products keep their category; the active one now counts under Apparel and no longer under Outerwear.
    expect((await server.db.product.findUniqueOrThrow({ where: { id: coat.id } })).categoryId).toBe(coats.id);
    expect((await server.db.product.findUniqueOrThrow({ where: { id: draftCoat.id } })).categoryId).toBe(coats.id);
    expect((await childrenOf(outer.id)).productCount).toBe(0);
    const apparelProducts = await server.ok<{ category: { products: { edges: { node: { id: string } }[] } } }>(
      `query ($id: ID!) { category(id: $id) { products(first: 100) { edges { node { id } } } } }`,
      { variables: { id: cat.apparel } },
    );
    expect(apparelProducts.category.products.edges.map((edge) => edge.node.id)).toContain(coat.id);

    for (const product of [coat, draftCoat]) {
      const rows = await outboxRows(server.db, product.id);
      expect(rows.map((row) => row.event_type)).toEqual(['product.updated']);
      expect(((rows[0]?.envelope.payload.categoryPath ?? []) as { id: string }[]).map((entry) => entry.id)).toEqual([cat.apparel, coats.id]);
    }
    // Their own version is untouched: nothing of theirs was edited.
    expect(await versionOf(coat.id)).toBe(1);
    const audit = await auditOf(coats.id);
    expect(JSON.parse(audit[0]?.changes ?? '{}')).toMatchObject({ parentId: { before: outer.id, after: cat.apparel }, productsRepublished: 2 });

    // Back to the top level, last.
    const top = await server.ok<{ updateCategory: { parent: null } }>(UPDATE_CATEGORY, { token: admin, variables: { input: { id: coats.id, parentId: null } } });
    expect(top.updateCategory.parent).toBeNull();
    expect((await childrenOf(cat.apparel)).names).toEqual(['Shirts', 'Jackets']);
    const roots = await server.ok<{ categories: { edges: { node: { name: string } }[] } }>(`{ categories(first: 100) { edges { node { name } } } }`);
    expect(roots.categories.edges.at(-1)?.node.name).toBe('Coats');
  });

  it('renames with product.updated for the products below, and refuses a move that would make a cycle', async () => {
    const root = await createCategory(server, admin, { name: 'Cycle Root' });
    const child = await createCategory(server, admin, { name: 'Cycle Child', parentId: root.id });
    const grandchild = await createCategory(server, admin, { name: 'Cycle Grandchild', parentId: child.id });
    const product = await createProduct(server, admin, { name: 'Deep Product', categoryId: grandchild.id });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');

    for (const parentId of [grandchild.id, child.id, root.id]) {
      const result = await server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: root.id, parentId } } });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe('parentId');
    }
    const unknownParent = await server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: root.id, parentId: '0193a7d0-0000-7000-8000-000000000001' } } });
    expect(errorCode(unknownParent)).toBe('NOT_FOUND');
    const unknown = await server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: 'nope', name: 'X' } } });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const takenSlug = await server.gql(UPDATE_CATEGORY, { token: admin, variables: { input: { id: root.id, slug: 'shirts' } } });
    expect(errorCode(takenSlug)).toBe('CONFLICT');
    expect(takenSlug.errors?.[0]?.extensions?.field).toBe('slug');
    expect((await server.db.category.findUniqueOrThrow({ where: { id: root.id } })).parentId).toBeNull();
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);

    await server.ok(UPDATE_CATEGORY, { token: admin, variables: { input: { id: child.id, name: 'Renamed Child' } } });
    const rows = await outboxRows(server.db, product.id);
    expect(rows.map((row) => row.event_type)).toEqual(['product.updated']);
    expect(((rows[0]?.envelope.payload.categoryPath ?? []) as { name: string }[]).map((entry) => entry.name)).toEqual([
      'Cycle Root',
      'Renamed Child',
      'Cycle Grandchild',
    ]);
  });
});

describe('catalogAuditLog', () => {
  it('records createProduct, updateProduct and createCategory with the actor, newest first, filtered and paged', async () => {
    const category = await createCategory(server, admin, { name: 'Audited Category' });
    const product = await createProduct(server, admin, { name: 'Audited Shirt', categoryId: category.id });
    await server.ok(UPDATE, { token: admin, variables: { input: { id: product.id, name: 'Audited Shirt II' } } });

    const all = await server.ok<{ catalogAuditLog: { totalCount: number; edges: { node: AuditNode }[] } }>(AUDIT, { token: admin, variables: { first: 10 } });
    expect(all.catalogAuditLog.totalCount).toBe(3);
    expect(all.catalogAuditLog.edges.map((edge) => edge.node.action)).toEqual(['updateProduct', 'createProduct', 'createCategory']);
    for (const { node } of all.catalogAuditLog.edges) expect(node).toMatchObject({ domain: 'catalog', actorId: adminId });
    const [update, create, createCat] = all.catalogAuditLog.edges.map((edge) => edge.node);
    expect(JSON.parse(update?.changes ?? '{}')).toEqual({
      name: { before: 'Audited Shirt', after: 'Audited Shirt II' },
      version: { before: 1, after: 2 },
    });
    expect(JSON.parse(create?.changes ?? '{}')).toMatchObject({ input: { name: 'Audited Shirt', slug: 'audited-shirt', status: 'ACTIVE' } });
    expect(createCat).toMatchObject({ targetType: 'Category', targetId: category.id });
    expect(new Date(update?.at ?? 0).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const page1 = await server.ok<{ catalogAuditLog: { edges: { node: AuditNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(AUDIT, {
      token: admin,
      variables: { first: 2 },
    });
    expect(page1.catalogAuditLog.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.ok<{ catalogAuditLog: { edges: { node: AuditNode }[]; pageInfo: { hasNextPage: boolean } } }>(AUDIT, {
      token: admin,
      variables: { first: 2, after: page1.catalogAuditLog.pageInfo.endCursor },
    });
    expect(page2.catalogAuditLog.edges.map((edge) => edge.node.action)).toEqual(['createCategory']);
    expect(page2.catalogAuditLog.pageInfo.hasNextPage).toBe(false);

    const filtered = await server.ok<{ catalogAuditLog: { totalCount: number } }>(AUDIT, {
      token: admin,
      variables: { filter: { targetType: 'Product', action: 'createProduct', actorId: adminId, since: new Date(Date.now() - 60_000).toISOString() } },
    });
    expect(filtered.catalogAuditLog.totalCount).toBe(1);
    const future = await server.ok<{ catalogAuditLog: { totalCount: number } }>(AUDIT, {
      token: admin,
      variables: { filter: { since: new Date(Date.now() + 60_000).toISOString() } },
    });
    expect(future.catalogAuditLog.totalCount).toBe(0);
    const badCursor = await server.gql(AUDIT, { token: admin, variables: { after: 'bm9wZQ' } });
    expect(errorCode(badCursor)).toBe('INVALID_CURSOR');
  });

  it('writes nothing when the mutation fails', async () => {
    const result = await server.gql(UPDATE, { token: admin, variables: { input: { id: '0193a7d0-0000-7000-8000-000000000001', name: 'X' } } });
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect(await server.db.auditEntry.count()).toBe(0);
  });
});
