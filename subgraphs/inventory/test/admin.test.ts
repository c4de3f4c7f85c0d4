/**
 * The admin API over HTTP: who may change stock, the bounds of a change,
 * low-stock alerts that fire once per crossing, the stock list and the
 * warehouses.
 */
import { randomUUID } from 'node:crypto';
import { errorCode } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BERLIN,
  NEWARK,
  createProduct,
  deliver,
  orderPlaced,
  outboxRows,
  startTestServer,
  tokens,
  totals,
  truncateAll,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;

beforeAll(async () => {
  server = await startTestServer();
  auth = await tokens();
  await truncateAll(server.db);
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

beforeEach(async () => {
  await truncateAll(server.db);
});

const ADJUST = `mutation ($input: AdjustStockInput!) {
  adjustStock(input: $input) {
    sku productId available onHand reserved inStock lowStock lowStockThreshold updatedAt
    variant { id }
    warehouses { warehouse { id code name country } onHand reserved available }
  }
}`;

const THRESHOLD = `mutation ($input: SetLowStockThresholdInput!) {
  setLowStockThreshold(input: $input) { lowStockThreshold lowStock available }
}`;

interface Adjusted {
  adjustStock: {
    sku: string;
    available: number;
    onHand: number;
    reserved: number;
    inStock: boolean;
    lowStock: boolean;
    lowStockThreshold: number;
    variant: { id: string };
    warehouses: { warehouse: { id: string; code: string }; onHand: number; reserved: number; available: number }[];
  };
}

/** As the admin unless told otherwise; `null` is anonymous. */
const adjust = (input: Record<string, unknown>, token: string | null = auth.admin) =>
  server.gql<Adjusted>(ADJUST, { ...(token ? { token } : {}), variables: { input: { warehouseId: NEWARK, reason: 'test', ...input } } });

async function newVariant(): Promise<string> {
  const product = await createProduct(server, 1);
  return product.variantIds[0] as string;
}

describe('adjustStock', () => {
  it('is for admins only', async () => {
    const variantId = await newVariant();
    expect(errorCode(await adjust({ variantId, delta: 5 }, null))).toBe('UNAUTHENTICATED');
    expect(errorCode(await adjust({ variantId, delta: 5 }, auth.customer))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(THRESHOLD, { token: auth.customer, variables: { input: { variantId, threshold: 1 } } }))).toBe(
      'FORBIDDEN',
    );
    expect(await totals(server.db, variantId)).toEqual({ onHand: 0, reserved: 0, available: 0 });
    expect(await outboxRows(server.db, { type: 'stock.level_changed' })).toEqual([]);
  });

  it('adds, removes and counts units, records the ledger and publishes level changes', async () => {
    const variantId = await newVariant();
    const added = await adjust({ variantId, delta: 12, reason: 'received PO-1' });
    expect(added.errors).toBeUndefined();
    expect(added.data?.adjustStock).toMatchObject({ available: 12, onHand: 12, reserved: 0, inStock: true, lowStock: false });
    expect(added.data?.adjustStock.variant.id).toBe(variantId);
    expect(added.data?.adjustStock.warehouses.map((w) => [w.warehouse.code, w.onHand])).toEqual([
      ['NEWARK', 12],
      ['BERLIN', 0],
    ]);

    await adjust({ variantId, warehouseId: BERLIN, setOnHand: 4, reason: 'cycle count' });
    const removed = await adjust({ variantId, delta: -2, reason: 'damaged' });
    expect(removed.data?.adjustStock).toMatchObject({ available: 14, onHand: 14 });

    const ledger = await server.db.stockMovement.findMany({ where: { variantId }, orderBy: { createdAt: 'asc' } });
    expect(ledger.map((m) => [m.kind, m.warehouseId, m.delta, m.onHandAfter, m.reason])).toEqual([
      ['ADJUSTMENT', NEWARK, 12, 12, 'received PO-1'],
      ['ADJUSTMENT', BERLIN, 4, 4, 'cycle count'],
      ['ADJUSTMENT', NEWARK, -2, 10, 'damaged'],
    ]);
    expect(ledger.every((m) => m.actorId !== null)).toBe(true);
    const levels = await outboxRows(server.db, { type: 'stock.level_changed', aggregateId: variantId });
    expect(levels.map((row) => row.envelope.payload.available)).toEqual([12, 16, 14]);

    // A count that matches changes nothing and publishes nothing.
    await adjust({ variantId, setOnHand: 10 });
    expect(await outboxRows(server.db, { type: 'stock.level_changed' })).toHaveLength(3);
  });

  it('never drops on hand below what is reserved', async () => {
    const variantId = await newVariant();
    await adjust({ variantId, delta: 5 });
    await deliver(server, orderPlaced([{ variantId, quantity: 3 }]));

    const below = await adjust({ variantId, delta: -3 });
    expect(errorCode(below)).toBe('INSUFFICIENT_STOCK');
    expect(below.errors?.[0]?.extensions).toMatchObject({ onHand: 5, reserved: 3, requestedOnHand: 2 });
    expect(errorCode(await adjust({ variantId, setOnHand: 2 }))).toBe('INSUFFICIENT_STOCK');
    expect(await totals(server.db, variantId)).toEqual({ onHand: 5, reserved: 3, available: 2 });

    const exact = await adjust({ variantId, setOnHand: 3 });
    expect(exact.data?.adjustStock).toMatchObject({ onHand: 3, reserved: 3, available: 0, inStock: false });
  });

  it('rejects malformed input', async () => {
    const variantId = await newVariant();
    expect(errorCode(await adjust({ variantId }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await adjust({ variantId, delta: 1, setOnHand: 1 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await adjust({ variantId, delta: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await adjust({ variantId, setOnHand: -1 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await adjust({ variantId, delta: 1, reason: '  ' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await adjust({ variantId: randomUUID(), delta: 1 }))).toBe('NOT_FOUND');
    expect(errorCode(await adjust({ variantId: 'not-a-uuid', delta: 1 }))).toBe('NOT_FOUND');
    expect(errorCode(await adjust({ variantId, warehouseId: randomUUID(), delta: 1 }))).toBe('NOT_FOUND');
    expect(await totals(server.db, variantId)).toEqual({ onHand: 0, reserved: 0, available: 0 });
  });
});

describe('low stock', () => {
  it('fires once when availability crosses to or below the threshold, not on every change below it', async () => {
    const variantId = await newVariant();
    const lowEvents = async () =>
      (await outboxRows(server.db, { type: 'stock.low', aggregateId: variantId })).map((row) => row.envelope.payload);

    await adjust({ variantId, delta: 10 }); // 10
    await adjust({ variantId, delta: -3 }); // 7: above the default 5
    expect(await lowEvents()).toEqual([]);
    await adjust({ variantId, delta: -2 }); // 5: crossed
    expect(await lowEvents()).toEqual([{ variantId, available: 5, threshold: 5 }]);
    await adjust({ variantId, delta: -1 }); // 4
    await deliver(server, orderPlaced([{ variantId, quantity: 4 }])); // 0, through a reservation
    expect(await lowEvents()).toHaveLength(1);

    await adjust({ variantId, delta: 10 }); // on hand 14, 4 reserved: available 10
    await adjust({ variantId, delta: -6 }); // available 4: crossed again
    expect(await lowEvents()).toEqual([
      { variantId, available: 5, threshold: 5 },
      { variantId, available: 4, threshold: 5 },
    ]);
  });

  it('uses the threshold set per variant, and raising it over the availability is a crossing', async () => {
    const variantId = await newVariant();
    await adjust({ variantId, delta: 30 });
    const set = await server.gql<{ setLowStockThreshold: { lowStockThreshold: number; lowStock: boolean; available: number } }>(THRESHOLD, {
      token: auth.admin,
      variables: { input: { variantId, threshold: 20 } },
    });
    expect(set.data?.setLowStockThreshold).toEqual({ lowStockThreshold: 20, lowStock: false, available: 30 });
    await adjust({ variantId, delta: -10 }); // 20: crossed the new threshold
    await server.gql(THRESHOLD, { token: auth.admin, variables: { input: { variantId, threshold: 10 } } }); // 20 > 10: not low
    await server.gql(THRESHOLD, { token: auth.admin, variables: { input: { variantId, threshold: 25 } } }); // 20 <= 25: crossed
    const low = await outboxRows(server.db, { type: 'stock.low', aggregateId: variantId });
    expect(low.map((row) => row.envelope.payload)).toEqual([
      { variantId, available: 20, threshold: 20 },
      { variantId, available: 20, threshold: 25 },
    ]);
    expect(
      errorCode(await server.gql(THRESHOLD, { token: auth.admin, variables: { input: { variantId, threshold: -1 } } })),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await server.gql(THRESHOLD, { token: auth.admin, variables: { input: { variantId: randomUUID(), threshold: 1 } } })),
    ).toBe('NOT_FOUND');
  });
});

describe('stock list and warehouses', () => {
  const LIST = `query ($first: Int, $after: String, $low: Boolean) {
    stockLevels(first: $first, after: $after, filter: { lowStockOnly: $low }) {
      edges { cursor node { variant { id } sku available onHand reserved lowStock lowStockThreshold } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  interface List {
    stockLevels: {
      edges: { cursor: string; node: { variant: { id: string }; available: number; lowStock: boolean } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }

  it('pages through every known variant, optionally only the low ones, for admins', async () => {
    const product = await createProduct(server, 5);
    const ids = [...product.variantIds].sort();
    for (const [i, variantId] of ids.entries()) if (i > 0) await adjust({ variantId, delta: i * 3 }); // 0, 3, 6, 9, 12

    expect(errorCode(await server.gql(LIST, { token: auth.customer }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(LIST))).toBe('UNAUTHENTICATED');

    const first = await server.ok<List>(LIST, { token: auth.admin, variables: { first: 3 } });
    expect(first.stockLevels.edges.map((e) => e.node.variant.id)).toEqual(ids.slice(0, 3));
    expect(first.stockLevels.pageInfo.hasNextPage).toBe(true);
    const rest = await server.ok<List>(LIST, { token: auth.admin, variables: { first: 3, after: first.stockLevels.pageInfo.endCursor } });
    expect(rest.stockLevels.edges.map((e) => e.node.variant.id)).toEqual(ids.slice(3));
    expect(rest.stockLevels.pageInfo.hasNextPage).toBe(false);

    const low = await server.ok<List>(LIST, { token: auth.admin, variables: { low: true } });
    expect(low.stockLevels.edges.map((e) => [e.node.variant.id, e.node.available])).toEqual([
      [ids[0], 0],
      [ids[1], 3],
    ]);
    expect(low.stockLevels.edges.every((e) => e.node.lowStock)).toBe(true);

    expect(errorCode(await server.gql(LIST, { token: auth.admin, variables: { after: 'garbage!' } }))).toBe('INVALID_CURSOR');
  });

  it('lists the seeded warehouses in allocation order', async () => {
    const data = await server.ok<{ warehouses: { id: string; code: string; name: string; country: string }[] }>(
      '{ warehouses { id code name country } }',
      { token: auth.admin },
    );
    expect(data.warehouses).toEqual([
      { id: NEWARK, code: 'NEWARK', name: 'Newark DC', country: 'US' },
      { id: BERLIN, code: 'BERLIN', name: 'Berlin DC', country: 'DE' },
    ]);
    expect(errorCode(await server.gql('{ warehouses { id } }', { token: auth.customer }))).toBe('FORBIDDEN');
  });
});
