/**
 * addProductVariant and updateProductVariant (issue 11: the console edits a
 * product's variants after creation), against the real database: the product's
 * version moves on, one audit entry and one product.updated (with the new
 * variant in its snapshot) per change, and bad input changes nothing.
 */
import { errorCode, tokenFor } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCategory, createProduct, expectNoInternals, outboxRows, startTestServer, truncateAll, type TestServer } from './helpers.js';

let server: TestServer;
let admin: string;
let customer: string;
let categoryId: string;

const VARIANT_FIELDS = `id sku name options { name value } prices { amountMinor currency } product { id version variants { sku } }`;
const ADD = `mutation ($input: AddProductVariantInput!) { addProductVariant(input: $input) { ${VARIANT_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateProductVariantInput!) { updateProductVariant(input: $input) { ${VARIANT_FIELDS} } }`;

interface VariantResult {
  id: string;
  sku: string;
  name: string;
  options: { name: string; value: string }[];
  prices: { amountMinor: number; currency: string }[];
  product: { id: string; version: number; variants: { sku: string }[] };
}

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  admin = (await tokenFor({ roles: ['ADMIN'] })).token;
  customer = (await tokenFor({ roles: ['CUSTOMER'] })).token;
  categoryId = (await createCategory(server, admin, { name: 'Variant Shirts' })).id;
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
});

const auditRows = (targetId: string) =>
  server.db.auditEntry.findMany({ where: { targetId }, orderBy: { at: 'asc' }, select: { action: true, changes: true, targetType: true } });

describe('addProductVariant', () => {
  it('adds a variant with options and prices, moves the version on, records it and emits product.updated with it', async () => {
    const product = await createProduct(server, admin, { name: 'Growing Shirt', categoryId, variants: [{ sku: 'GROW-S', options: [{ name: 'Size', value: 'S' }] }] });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const added = await server.ok<{ addProductVariant: VariantResult }>(ADD, {
      token: admin,
      variables: {
        input: {
          productId: product.id,
          expectedVersion: 1,
          sku: 'GROW-M',
          options: [{ name: 'Size', value: 'M' }],
          prices: [
            { currency: 'EUR', amountMinor: 2199 },
            { currency: 'USD', amountMinor: 2399 },
          ],
        },
      },
    });
    expect(added.addProductVariant).toMatchObject({
      sku: 'GROW-M',
      name: 'M',
      options: [{ name: 'Size', value: 'M' }],
      product: { id: product.id, version: 2, variants: [{ sku: 'GROW-S' }, { sku: 'GROW-M' }] },
    });
    expect([...added.addProductVariant.prices].sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([
      { currency: 'EUR', amountMinor: 2199 },
      { currency: 'USD', amountMinor: 2399 },
    ]);

    const rows = await outboxRows(server.db, product.id);
    expect(rows.map((row) => row.event_type)).toEqual(['product.updated']);
    const snapshotVariants = (rows[0]?.envelope.payload.variants ?? []) as { variantId: string; sku: string }[];
    expect(snapshotVariants.map((variant) => variant.sku)).toEqual(['GROW-S', 'GROW-M']);
    expect(snapshotVariants[1]?.variantId).toBe(added.addProductVariant.id);

    const audit = await auditRows(product.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'addProductVariant',
      targetType: 'Product',
      changes: { variantId: added.addProductVariant.id, sku: 'GROW-M', version: { before: 1, after: 2 } },
    });
  });

  it('refuses a taken SKU (any case) with SKU_TAKEN on field sku, no price, a zero price and a stale version, changing nothing', async () => {
    const product = await createProduct(server, admin, { name: 'Refusing Shirt', categoryId, variants: [{ sku: 'REF-1' }] });
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const base = { productId: product.id, sku: 'REF-2', prices: [{ currency: 'USD', amountMinor: 100 }] };

    const taken = await server.gql(ADD, { token: admin, variables: { input: { ...base, sku: 'ref-1' } } });
    expect(errorCode(taken)).toBe('SKU_TAKEN');
    expect(taken.errors?.[0]?.extensions?.field).toBe('sku');
    expectNoInternals(taken);

    const noPrice = await server.gql(ADD, { token: admin, variables: { input: { ...base, prices: [] } } });
    expect(errorCode(noPrice)).toBe('BAD_USER_INPUT');
    expect(noPrice.errors?.[0]?.extensions?.field).toBe('prices');

    const zero = await server.gql(ADD, {
      token: admin,
      variables: { input: { ...base, prices: [{ currency: 'USD', amountMinor: 100 }, { currency: 'EUR', amountMinor: 0 }] } },
    });
    expect(errorCode(zero)).toBe('BAD_USER_INPUT');
    expect(zero.errors?.[0]?.extensions?.field).toBe('prices[1].amountMinor');

    const badSku = await server.gql(ADD, { token: admin, variables: { input: { ...base, sku: 'has space' } } });
    expect(badSku.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sku' });

    const stale = await server.gql(ADD, { token: admin, variables: { input: { ...base, expectedVersion: 5 } } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion', currentVersion: 1 });

    const missing = await server.gql(ADD, { token: admin, variables: { input: { ...base, productId: '0193a7d0-0000-7000-8000-000000000001' } } });
    expect(errorCode(missing)).toBe('NOT_FOUND');

    expect(await server.db.productVariant.count({ where: { productId: product.id } })).toBe(1);
    expect((await server.db.product.findUniqueOrThrow({ where: { id: product.id } })).version).toBe(1);
    expect(await outboxRows(server.db)).toEqual([]);
    expect(await server.db.auditEntry.count()).toBe(0);
  });

  it('is admin only', async () => {
    const variables = { input: { productId: 'x', sku: 'X-1', prices: [{ currency: 'USD', amountMinor: 1 }] } };
    expect(errorCode(await server.gql(ADD, { token: customer, variables }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ADD, { variables }))).toBe('UNAUTHENTICATED');
    const update = { input: { variantId: 'x', sku: 'X-2' } };
    expect(errorCode(await server.gql(UPDATE, { token: customer, variables: update }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(UPDATE, { variables: update }))).toBe('UNAUTHENTICATED');
  });
});

describe('updateProductVariant', () => {
  it('changes SKU and options with a new version, an audit entry and product.updated; a no-op edit changes nothing', async () => {
    const product = await createProduct(server, admin, {
      name: 'Editable Shirt',
      categoryId,
      variants: [{ sku: 'EDIT-1', options: [{ name: 'Size', value: 'S' }] }, { sku: 'EDIT-2' }],
    });
    const variantId = product.variants[0]?.id;
    await server.db.$executeRawUnsafe('TRUNCATE outbox_events, audit_entries');
    const updated = await server.ok<{ updateProductVariant: VariantResult }>(UPDATE, {
      token: admin,
      variables: {
        input: { variantId, expectedVersion: 1, sku: 'EDIT-1B', options: [{ name: 'Size', value: 'L' }, { name: 'Colour', value: 'Blue' }] },
      },
    });
    expect(updated.updateProductVariant).toMatchObject({
      id: variantId,
      sku: 'EDIT-1B',
      options: [{ name: 'Size', value: 'L' }, { name: 'Colour', value: 'Blue' }],
      product: { version: 2 },
    });
    const rows = await outboxRows(server.db, product.id);
    expect(rows.map((row) => row.event_type)).toEqual(['product.updated']);
    expect(((rows[0]?.envelope.payload.variants ?? []) as { sku: string }[]).map((variant) => variant.sku)).toEqual(['EDIT-1B', 'EDIT-2']);
    const audit = await auditRows(product.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'updateProductVariant',
      changes: {
        variantId,
        sku: { before: 'EDIT-1', after: 'EDIT-1B' },
        options: { before: [{ name: 'Size', value: 'S' }], after: [{ name: 'Size', value: 'L' }, { name: 'Colour', value: 'Blue' }] },
        version: { before: 1, after: 2 },
      },
    });

    // The same values again: nothing moves.
    const same = await server.ok<{ updateProductVariant: VariantResult }>(UPDATE, {
      token: admin,
      variables: { input: { variantId, sku: 'EDIT-1B' } },
    });
    expect(same.updateProductVariant.product.version).toBe(2);
    expect(await outboxRows(server.db, product.id)).toHaveLength(1);

    // Taking the sibling's SKU, or a stale version, is refused and changes nothing.
    const taken = await server.gql(UPDATE, { token: admin, variables: { input: { variantId, sku: 'edit-2' } } });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'SKU_TAKEN', field: 'sku' });
    const stale = await server.gql(UPDATE, { token: admin, variables: { input: { variantId, sku: 'EDIT-9', expectedVersion: 1 } } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const twice = await server.gql(UPDATE, {
      token: admin,
      variables: { input: { variantId, options: [{ name: 'Size', value: 'S' }, { name: 'size', value: 'M' }] } },
    });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options[1].name' });
    const missing = await server.gql(UPDATE, { token: admin, variables: { input: { variantId: 'nope', sku: 'X' } } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    expect((await server.db.productVariant.findUniqueOrThrow({ where: { id: variantId } })).sku).toBe('EDIT-1B');
    expect(await server.db.auditEntry.count()).toBe(1);
  });
});
