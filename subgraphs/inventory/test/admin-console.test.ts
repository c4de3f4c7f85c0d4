/**
 * What the admin console reads from inventory (issue 11): the stock list's
 * filters and total, the adjustment history (who, when, how much, why, on
 * hand after), reservations in flight, the audit log, and the live
 * stockLevelChanged subscription (a real graphql-ws client; Redis pub/sub fed
 * by the live consumer's handler).
 */
import { createEventContext, eventRegistry } from '@commerce/events';
import { errorCode, eventually, recordSubscription, type RecordedSubscription } from '@commerce/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stockLiveHandlers } from '../src/events/live-consumer.js';
import {
  BERLIN,
  NEWARK,
  createProduct,
  deliver,
  orderConfirmed,
  orderPlaced,
  outboxRows,
  setStock,
  startTestServer,
  tokens,
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

const asAdmin = { get token() { return auth.admin; } };

async function newVariant(): Promise<{ variantId: string; sku: string }> {
  const { variantIds } = await createProduct(server, 1);
  const variantId = variantIds[0] as string;
  const [row] = await server.db.$queryRaw<{ sku: string }[]>`SELECT sku FROM variants WHERE id = ${variantId}::uuid`;
  return { variantId, sku: (row as { sku: string }).sku };
}

const ADJUST = `mutation ($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }`;
const adjust = (input: Record<string, unknown>, token = auth.admin) =>
  server.gql(ADJUST, { token, variables: { input: { warehouseId: NEWARK, reason: 'test', ...input } } });

describe('stockLevels for the console', () => {
  const LIST = `query ($filter: StockLevelFilter, $first: Int, $after: String) {
    stockLevels(first: $first, after: $after, filter: $filter) {
      totalCount
      edges { cursor node { sku available lowStock lowStockThreshold } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  interface List {
    stockLevels: {
      totalCount: number;
      edges: { cursor: string; node: { sku: string; available: number; lowStock: boolean } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }
  const list = (filter: Record<string, unknown> | null, first = 20) =>
    server.ok<List>(LIST, { token: auth.admin, variables: { filter, first } });

  it('filters by SKU text, warehouse and threshold, and counts every match', async () => {
    const a = await newVariant(); // 3 in Newark: below the default threshold 5
    const b = await newVariant(); // 50 in Berlin
    const c = await newVariant(); // 5 in Newark and 1 in Berlin: at the threshold counts as below
    await setStock(server.db, a.variantId, { [NEWARK]: 3 });
    await setStock(server.db, b.variantId, { [BERLIN]: 50 });
    await setStock(server.db, c.variantId, { [NEWARK]: 5, [BERLIN]: 1 });
    await server.db.$executeRaw`UPDATE variants SET low_stock_threshold = 6 WHERE id = ${c.variantId}::uuid`;

    const all = await list(null, 2);
    expect(all.stockLevels.totalCount).toBe(3);
    expect(all.stockLevels.edges).toHaveLength(2);
    expect(all.stockLevels.pageInfo.hasNextPage).toBe(true);

    const below = await list({ belowThreshold: true });
    expect(below.stockLevels.edges.map((e) => e.node.sku).sort()).toEqual([a.sku, c.sku].sort());
    expect(below.stockLevels.totalCount).toBe(2);
    expect(below.stockLevels.edges.every((e) => e.node.lowStock)).toBe(true);

    const berlin = await list({ warehouseId: BERLIN });
    expect(berlin.stockLevels.edges.map((e) => e.node.sku).sort()).toEqual([b.sku, c.sku].sort());
    expect(berlin.stockLevels.totalCount).toBe(2);

    const berlinLow = await list({ warehouseId: BERLIN, belowThreshold: true });
    expect(berlinLow.stockLevels.edges.map((e) => e.node.sku)).toEqual([c.sku]);
    expect(berlinLow.stockLevels.totalCount).toBe(1);

    // Case-insensitive "contains", and LIKE's wildcards are taken literally.
    const bySku = await list({ search: b.sku.slice(-6).toLowerCase() });
    expect(bySku.stockLevels.edges.map((e) => e.node.sku)).toEqual([b.sku]);
    expect((await list({ search: '%' })).stockLevels.totalCount).toBe(0);
  });

  it('reads one variant by id (null when unknown), for admins only', async () => {
    const { variantId, sku } = await newVariant();
    await setStock(server.db, variantId, { [BERLIN]: 4 });
    const ONE = `query ($id: ID!) { stockLevel(variantId: $id) { sku onHand warehouses { warehouse { id } onHand } } }`;
    const one = await server.ok<{ stockLevel: { sku: string; onHand: number } | null }>(ONE, { token: auth.admin, variables: { id: variantId } });
    expect(one.stockLevel).toMatchObject({ sku, onHand: 4 });
    const unknown = await server.ok<{ stockLevel: null }>(ONE, { token: auth.admin, variables: { id: crypto.randomUUID() } });
    expect(unknown.stockLevel).toBeNull();
    expect(errorCode(await server.gql(ONE, { token: auth.customer, variables: { id: variantId } }))).toBe('FORBIDDEN');
  });

  it('rejects a malformed warehouse id and is for admins only', async () => {
    const bad = await server.gql(LIST, { token: auth.admin, variables: { filter: { warehouseId: 'nope' } } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.gql(LIST, { token: auth.customer, variables: {} }))).toBe('FORBIDDEN');
  });
});

describe('adjustment history', () => {
  const HISTORY = `query ($first: Int, $after: String, $kinds: [StockMovementKind!], $warehouseId: ID) {
    stockLevels { edges { node { sku adjustments(first: $first, after: $after, kinds: $kinds, warehouseId: $warehouseId) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { kind delta onHandAfter reason reasonCode actorId actor { id } orderId at warehouse { id code } } }
    } } } }
  }`;
  interface Movement {
    kind: string;
    delta: number;
    onHandAfter: number;
    reason: string;
    reasonCode: string | null;
    actorId: string | null;
    actor: { id: string } | null;
    orderId: string | null;
    at: string;
    warehouse: { id: string; code: string };
  }
  interface History {
    stockLevels: {
      edges: {
        node: {
          sku: string;
          adjustments: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Movement }[] };
        };
      }[];
    };
  }

  it('records who, when, how much, why and the on hand after, newest first, page by page', async () => {
    const { variantId } = await newVariant();
    const before = Date.now();
    await server.ok(ADJUST, { ...asAdmin, variables: { input: { variantId, warehouseId: NEWARK, delta: 10, reason: 'PO-1', reasonCode: 'RECEIVED' } } });
    await server.ok(ADJUST, { ...asAdmin, variables: { input: { variantId, warehouseId: BERLIN, delta: 4, reason: 'transfer in' } } });
    await server.ok(ADJUST, { ...asAdmin, variables: { input: { variantId, warehouseId: NEWARK, setOnHand: 7, reason: 'count', reasonCode: 'COUNT_CORRECTION' } } });

    const page1 = await server.ok<History>(HISTORY, { ...asAdmin, variables: { first: 2 } });
    const adjustments = page1.stockLevels.edges[0]?.node.adjustments;
    expect(adjustments?.totalCount).toBe(3);
    expect(adjustments?.pageInfo.hasNextPage).toBe(true);
    const [newest, second] = (adjustments?.edges ?? []).map((e) => e.node);
    expect(newest).toMatchObject({
      kind: 'ADJUSTMENT',
      delta: -3,
      onHandAfter: 7,
      reason: 'count',
      reasonCode: 'COUNT_CORRECTION',
      actorId: auth.adminId,
      actor: { id: auth.adminId },
      orderId: null,
      warehouse: { id: NEWARK, code: expect.any(String) },
    });
    expect(new Date(newest?.at ?? 0).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(second).toMatchObject({ delta: 4, onHandAfter: 4, reason: 'transfer in', reasonCode: null, warehouse: { id: BERLIN } });

    const page2 = await server.ok<History>(HISTORY, { ...asAdmin, variables: { first: 2, after: adjustments?.pageInfo.endCursor } });
    const rest = page2.stockLevels.edges[0]?.node.adjustments;
    expect(rest?.edges.map((e) => e.node)).toMatchObject([{ delta: 10, onHandAfter: 10, reason: 'PO-1', reasonCode: 'RECEIVED' }]);
    expect(rest?.pageInfo.hasNextPage).toBe(false);

    const newark = await server.ok<History>(HISTORY, { ...asAdmin, variables: { warehouseId: NEWARK } });
    expect(newark.stockLevels.edges[0]?.node.adjustments.edges.map((e) => e.node.delta)).toEqual([-3, 10]);
  });

  it('widens to the whole ledger with kinds, and loads a page of stock levels in one statement', async () => {
    const first = await newVariant();
    const second = await newVariant();
    await setStock(server.db, first.variantId, { [NEWARK]: 10 });
    await adjust({ variantId: second.variantId, delta: 5 });
    const orderId = crypto.randomUUID();
    await deliver(server, orderPlaced([{ variantId: first.variantId, quantity: 2 }], orderId));
    await deliver(server, orderConfirmed(orderId));

    server.queries.length = 0;
    const all = await server.ok<History>(HISTORY, { ...asAdmin, variables: { kinds: ['ADJUSTMENT', 'COMMITTED'] } });
    const ledgerStatements = server.queries.filter((sql) => /stock_movements/.test(sql));
    // One page query (LATERAL over the variants) and one count, whatever the number of stock levels.
    expect(ledgerStatements).toHaveLength(2);
    const bySku = new Map(all.stockLevels.edges.map((e) => [e.node.sku, e.node.adjustments]));
    expect(bySku.get(first.sku)?.edges.map((e) => e.node)).toMatchObject([{ kind: 'COMMITTED', delta: -2, onHandAfter: 8, orderId, actorId: null }]);
    expect(bySku.get(second.sku)?.edges.map((e) => e.node)).toMatchObject([{ kind: 'ADJUSTMENT', delta: 5 }]);
    // The default is the admins' adjustments only.
    const adminsOnly = await server.ok<History>(HISTORY, { ...asAdmin, variables: {} });
    expect(new Map(adminsOnly.stockLevels.edges.map((e) => [e.node.sku, e.node.adjustments.totalCount])).get(first.sku)).toBe(0);
  });
});

describe('stockReservations', () => {
  const RESERVATIONS = `query ($filter: StockReservationFilter, $first: Int, $after: String) {
    stockReservations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { orderId order { id } status quantity since expiresAt reason lines { variant { id } sku warehouse { id } quantity returned } } }
    }
  }`;
  interface Reservations {
    stockReservations: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: {
        node: {
          orderId: string;
          order: { id: string };
          status: string;
          quantity: number;
          since: string;
          expiresAt: string;
          lines: { variant: { id: string }; sku: string; warehouse: { id: string }; quantity: number; returned: number }[];
        };
      }[];
    };
  }

  it('lists the reservations in flight, soonest to expire first, with their lines; confirmed ones leave the list', async () => {
    const a = await newVariant();
    const b = await newVariant();
    await setStock(server.db, a.variantId, { [NEWARK]: 3, [BERLIN]: 10 });
    await setStock(server.db, b.variantId, { [BERLIN]: 10 });
    const first = crypto.randomUUID();
    const second = crypto.randomUUID();
    const third = crypto.randomUUID();
    await deliver(server, orderPlaced([{ variantId: a.variantId, quantity: 5 }, { variantId: b.variantId, quantity: 1 }], first));
    await deliver(server, orderPlaced([{ variantId: b.variantId, quantity: 2 }], second));
    await deliver(server, orderPlaced([{ variantId: a.variantId, quantity: 1 }], third));
    await deliver(server, orderConfirmed(third));

    server.queries.length = 0;
    const active = await server.ok<Reservations>(RESERVATIONS, { ...asAdmin, variables: {} });
    expect(active.stockReservations.totalCount).toBe(2);
    expect(active.stockReservations.edges.map((e) => e.node.orderId)).toEqual([first, second]);
    const held = active.stockReservations.edges[0]?.node;
    expect(held).toMatchObject({ order: { id: first }, status: 'ACTIVE', quantity: 6 });
    expect(new Date(held?.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(held?.since ?? 0).getTime()).toBeLessThanOrEqual(Date.now());
    // Each line goes to one warehouse that can ship it whole (a's 5 units: Berlin).
    expect(held?.lines.reduce((sum, line) => sum + line.quantity, 0)).toBe(6);
    expect(held?.lines.find((line) => line.variant.id === b.variantId)).toMatchObject({ sku: b.sku, warehouse: { id: BERLIN }, quantity: 1 });
    // Page, count, lines (one statement for every reservation's lines), warehouses: a constant number.
    expect(server.queries.filter((sql) => /reservation_lines/.test(sql) && !/count\(/i.test(sql)).length).toBe(2);

    const forB = await server.ok<Reservations>(RESERVATIONS, { ...asAdmin, variables: { filter: { variantId: b.variantId }, first: 1 } });
    expect(forB.stockReservations.totalCount).toBe(2);
    expect(forB.stockReservations.edges.map((e) => e.node.orderId)).toEqual([first]);
    const next = await server.ok<Reservations>(RESERVATIONS, {
      ...asAdmin,
      variables: { filter: { variantId: b.variantId }, first: 1, after: forB.stockReservations.pageInfo.endCursor },
    });
    expect(next.stockReservations.edges.map((e) => e.node.orderId)).toEqual([second]);

    const committed = await server.ok<Reservations>(RESERVATIONS, { ...asAdmin, variables: { filter: { status: 'COMMITTED' } } });
    expect(committed.stockReservations.edges.map((e) => e.node.orderId)).toEqual([third]);
  });

  it('is for admins only', async () => {
    expect(errorCode(await server.gql(RESERVATIONS, { token: auth.customer }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(RESERVATIONS))).toBe('UNAUTHENTICATED');
  });
});

describe('inventoryAuditLog', () => {
  const LOG = `query ($filter: AuditLogFilter) {
    inventoryAuditLog(filter: $filter) {
      totalCount
      edges { node { domain action actorId actor { id } targetType targetId changes at } }
    }
  }`;
  interface Log {
    inventoryAuditLog: {
      totalCount: number;
      edges: { node: { domain: string; action: string; actorId: string; actor: { id: string }; targetType: string; targetId: string; changes: string } }[];
    };
  }

  it('records each adjustStock and setLowStockThreshold once, with the actor, newest first; no-ops record nothing', async () => {
    const { variantId } = await newVariant();
    await server.ok(ADJUST, { ...asAdmin, variables: { input: { variantId, warehouseId: NEWARK, delta: 8, reason: 'PO-9', reasonCode: 'RECEIVED' } } });
    await server.ok(ADJUST, { ...asAdmin, variables: { input: { variantId, warehouseId: NEWARK, setOnHand: 8, reason: 'count matches' } } });
    const THRESHOLD = `mutation ($input: SetLowStockThresholdInput!) { setLowStockThreshold(input: $input) { lowStockThreshold } }`;
    await server.ok(THRESHOLD, { ...asAdmin, variables: { input: { variantId, threshold: 2 } } });
    await server.ok(THRESHOLD, { ...asAdmin, variables: { input: { variantId, threshold: 2 } } });
    // A refused change leaves no entry either.
    expect(errorCode(await adjust({ variantId, delta: -100 }))).toBe('INSUFFICIENT_STOCK');

    const log = await server.ok<Log>(LOG, { ...asAdmin });
    expect(log.inventoryAuditLog.totalCount).toBe(2);
    const [threshold, adjusted] = log.inventoryAuditLog.edges.map((e) => e.node);
    expect(threshold).toMatchObject({ domain: 'inventory', action: 'setLowStockThreshold', actorId: auth.adminId, actor: { id: auth.adminId }, targetType: 'StockLevel', targetId: variantId });
    expect(JSON.parse(threshold?.changes ?? '{}')).toEqual({ lowStockThreshold: { before: 5, after: 2 } });
    expect(adjusted).toMatchObject({ action: 'adjustStock', actorId: auth.adminId, targetId: variantId });
    expect(JSON.parse(adjusted?.changes ?? '{}')).toEqual({
      warehouseId: NEWARK,
      onHand: { before: 0, after: 8 },
      delta: 8,
      reason: 'PO-9',
      reasonCode: 'RECEIVED',
    });

    const filtered = await server.ok<Log>(LOG, { ...asAdmin, variables: { filter: { action: 'adjustStock', targetId: variantId } } });
    expect(filtered.inventoryAuditLog.totalCount).toBe(1);
  });

  it('is for admins only', async () => {
    expect(errorCode(await server.gql(LOG, { token: auth.customer }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(LOG))).toBe('UNAUTHENTICATED');
  });
});

describe('stockLevelChanged', () => {
  const SUBSCRIPTION = `subscription ($warehouseId: ID, $sku: String) {
    stockLevelChanged(warehouseId: $warehouseId, sku: $sku) { sku onHand available reserved lowStock warehouses { warehouse { id } onHand } }
  }`;
  interface Changed {
    stockLevelChanged: { sku: string; onHand: number; available: number; reserved: number; lowStock: boolean; warehouses: { warehouse: { id: string }; onHand: number }[] };
  }
  type Stream = RecordedSubscription<Changed>;
  /** As the admin unless told otherwise; `null` is anonymous. */
  const follow = (variables: Record<string, unknown>, token: string | null = auth.admin): Stream =>
    recordSubscription<Changed>(server.url, { query: SUBSCRIPTION, variables }, token ? { token } : {});
  const skus = (stream: Stream) => stream.data().map((data) => data.stockLevelChanged.sku);

  /** What the `inventory-live` consumer does with each stock.level_changed in the outbox. */
  async function relayLevelChanges(): Promise<void> {
    const handlers = stockLiveHandlers(server.ctx, server.runtime.live);
    for (const row of await outboxRows(server.db, { type: 'stock.level_changed' })) {
      const parsed = eventRegistry.parseEnvelope(row.envelope);
      if (!parsed.ok || parsed.envelope.type !== 'stock.level_changed') throw new Error('not a stock.level_changed envelope');
      const event = parsed.envelope as Parameters<(typeof handlers)['stock.level_changed']>[1];
      await server.db.$transaction((tx) =>
        handlers['stock.level_changed'](createEventContext({ tx, envelope: event, group: 'inventory-live', logger: server.ctx.logger }), event),
      );
    }
  }

  it('sends admins each changed level, filtered by warehouse or SKU', async () => {
    const newark = await newVariant();
    const berlin = await newVariant();
    const all = follow({});
    const onlyBerlin = follow({ warehouseId: BERLIN });
    const onlySku = follow({ sku: newark.sku });
    try {
      await adjust({ variantId: newark.variantId, warehouseId: NEWARK, delta: 12 });
      await adjust({ variantId: berlin.variantId, warehouseId: BERLIN, delta: 3 });
      // Subscriptions become live asynchronously: publish (newark, then berlin) until each stream has heard its own.
      await eventually(async () => {
        await relayLevelChanges();
        return skus(all).includes(berlin.sku) && skus(onlyBerlin).includes(berlin.sku) && skus(onlySku).includes(newark.sku) ? true : undefined;
      }, 10_000, 100);

      const seen = all.data().find((data) => data.stockLevelChanged.sku === newark.sku)?.stockLevelChanged;
      expect(seen).toMatchObject({
        onHand: 12,
        available: 12,
        reserved: 0,
        lowStock: false,
        warehouses: [
          { warehouse: { id: NEWARK }, onHand: 12 },
          { warehouse: { id: BERLIN }, onHand: 0 },
        ],
      });
      // Each published level reached the filtered streams in order: a match only after the one filtered out.
      expect(new Set(skus(onlyBerlin))).toEqual(new Set([berlin.sku]));
      expect(new Set(skus(onlySku))).toEqual(new Set([newark.sku]));
      expect([...all.errors, ...all.results.flatMap((r) => r.errors ?? [])]).toEqual([]);
    } finally {
      await Promise.all([all.close(), onlyBerlin.close(), onlySku.close()]);
    }
  });

  it('refuses customers and anonymous callers', async () => {
    for (const [token, code] of [
      [auth.customer, 'FORBIDDEN'],
      [null, 'UNAUTHENTICATED'],
    ] as const) {
      const stream = follow({}, token);
      await stream.completed;
      const codes = [...stream.errors.flatMap((e) => (Array.isArray(e) ? e : [e])), ...stream.results.flatMap((r) => r.errors ?? [])].map(
        (e) => (e as { extensions?: { code?: string } }).extensions?.code,
      );
      expect(codes).toContain(code);
      expect(stream.data().filter((data) => data?.stockLevelChanged)).toEqual([]);
      await stream.close();
    }
  });
});
