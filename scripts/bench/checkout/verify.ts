/**
 * After the load: what the services' own databases say. Every placed order
 * must be in orders (once), CONFIRMED, its stock committed in inventory and
 * its payment captured; on-hand stock must have dropped by exactly the
 * ordered quantities. Also the saga's timestamps per order, to see which hop
 * the time goes to.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { SubgraphName } from './protocol.ts';
import type { OrderRecord } from './shop.ts';

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export interface SagaProgress {
  orders: number;
  confirmed: number;
  reservationsCommitted: number;
  reservedUnits: number;
  paymentsCaptured: number;
}

export async function sagaProgress(databases: Record<SubgraphName, string>): Promise<SagaProgress> {
  const [orders, reservations, stock, payments] = await Promise.all([
    query<{ total: number; confirmed: number }>(
      databases.orders,
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status::text = 'CONFIRMED')::int AS confirmed FROM orders`,
    ),
    query<{ committed: number }>(databases.inventory, `SELECT count(*) FILTER (WHERE status::text = 'COMMITTED')::int AS committed FROM reservations`),
    query<{ reserved: number }>(databases.inventory, 'SELECT coalesce(sum(reserved), 0)::int AS reserved FROM stock_levels'),
    query<{ captured: number }>(databases.payments, `SELECT count(*) FILTER (WHERE status::text = 'CAPTURED')::int AS captured FROM payments`),
  ]);
  return {
    orders: orders[0]?.total ?? 0,
    confirmed: orders[0]?.confirmed ?? 0,
    reservationsCommitted: reservations[0]?.committed ?? 0,
    reservedUnits: stock[0]?.reserved ?? 0,
    paymentsCaptured: payments[0]?.captured ?? 0,
  };
}

/** Waits until the saga's tail (stock commit, capture) caught up with every placed order, or the timeout. */
export async function awaitSettled(databases: Record<SubgraphName, string>, placed: number, timeoutMs: number): Promise<{ progress: SagaProgress; settledMs: number }> {
  const started = performance.now();
  for (;;) {
    const progress = await sagaProgress(databases);
    const settled = progress.confirmed >= placed && progress.reservationsCommitted >= placed && progress.paymentsCaptured >= placed && progress.reservedUnits === 0;
    if (settled || performance.now() - started > timeoutMs) return { progress, settledMs: performance.now() - started };
    await sleep(250);
  }
}

/** On-hand units by variant (all warehouses). */
export async function onHandByVariant(inventoryUrl: string, variantIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await query<{ variant_id: string; on_hand: number }>(
    inventoryUrl,
    'SELECT variant_id, sum(on_hand)::int AS on_hand FROM stock_levels WHERE variant_id = ANY($1::uuid[]) GROUP BY variant_id',
    [variantIds],
  );
  return new Map(rows.map((row) => [row.variant_id, row.on_hand]));
}

/** How many of the variants the cart's read model knows (from product.created). */
export async function cartKnows(cartUrl: string, variantIds: readonly string[]): Promise<number> {
  const rows = await query<{ known: number }>(cartUrl, 'SELECT count(*)::int AS known FROM catalog_variants WHERE variant_id = ANY($1::uuid[])', [variantIds]);
  return rows[0]?.known ?? 0;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SagaTimes {
  /** Per order id: when each service recorded its step (epoch ms). */
  placedAt: Map<string, number>;
  reservedAt: Map<string, number>;
  authorizedAt: Map<string, number>;
  confirmedAt: Map<string, number>;
}

export interface Verification {
  checks: Check[];
  times: SagaTimes;
}

export async function verify(
  databases: Record<SubgraphName, string>,
  records: readonly OrderRecord[],
  variantIds: readonly string[],
  initialOnHand: ReadonlyMap<string, number>,
): Promise<Verification> {
  const checks: Check[] = [];
  const placedIds = new Set(records.map((record) => record.orderId));

  const [orderRows, lineRows, transitions, reservations, stockRows, payments] = await Promise.all([
    query<{ id: string; user_id: string; status: string; placed_at: Date }>(databases.orders, 'SELECT id, user_id, status::text AS status, placed_at FROM orders'),
    query<{ variant_id: string; quantity: number }>(databases.orders, 'SELECT variant_id, sum(quantity)::int AS quantity FROM order_lines GROUP BY variant_id'),
    query<{ order_id: string; at: Date }>(databases.orders, `SELECT order_id, at FROM order_transitions WHERE to_status::text = 'CONFIRMED'`),
    query<{ order_id: string; status: string; created_at: Date }>(databases.inventory, 'SELECT order_id, status::text AS status, created_at FROM reservations'),
    query<{ variant_id: string; on_hand: number; reserved: number }>(
      databases.inventory,
      'SELECT variant_id, sum(on_hand)::int AS on_hand, sum(reserved)::int AS reserved FROM stock_levels WHERE variant_id = ANY($1::uuid[]) GROUP BY variant_id',
      [variantIds],
    ),
    query<{ order_id: string; status: string; authorized_at: Date | null; captured_minor: number; amount_minor: number | null }>(
      databases.payments,
      'SELECT order_id, status::text AS status, authorized_at, captured_minor, amount_minor FROM payments',
    ),
  ]);

  // Orders: every placed order is there once, nothing else is, all CONFIRMED.
  const inDb = new Set(orderRows.map((row) => row.id));
  const missing = [...placedIds].filter((id) => !inDb.has(id));
  const unknown = [...inDb].filter((id) => !placedIds.has(id));
  checks.push({
    name: 'orders in the orders database = orders placed',
    ok: orderRows.length === placedIds.size && missing.length === 0 && unknown.length === 0,
    detail: `${orderRows.length} in the database, ${placedIds.size} placed${missing.length ? `, ${missing.length} missing` : ''}${unknown.length ? `, ${unknown.length} unknown` : ''}`,
  });
  const perUser = new Map<string, number>();
  for (const row of orderRows) perUser.set(row.user_id, (perUser.get(row.user_id) ?? 0) + 1);
  const doubled = [...perUser.values()].filter((count) => count > 1).length;
  checks.push({
    name: 'no order doubled',
    ok: doubled === 0 && records.length === placedIds.size,
    detail: `${doubled} customers with more than one order (each placed one), ${records.length - placedIds.size} order ids answered twice`,
  });
  const byStatus = new Map<string, number>();
  for (const row of orderRows) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
  const confirmed = byStatus.get('CONFIRMED') ?? 0;
  const seenConfirmed = records.filter((record) => record.status === 'CONFIRMED').length;
  checks.push({
    name: 'every placed order reached CONFIRMED (none lost)',
    ok: confirmed === placedIds.size && seenConfirmed === placedIds.size,
    detail: `${[...byStatus].map(([status, count]) => `${count} ${status}`).join(', ') || 'no orders'} in the database; the shoppers saw ${seenConfirmed} CONFIRMED`,
  });
  const mismatched = records.filter((record) => !record.linesMatch).length;
  checks.push({ name: 'each order holds exactly the lines its shopper added', ok: mismatched === 0, detail: `${mismatched} orders differ from their cart` });

  // Inventory: one committed reservation per order; on hand down by exactly the ordered units.
  const committed = reservations.filter((row) => row.status === 'COMMITTED' && placedIds.has(row.order_id)).length;
  checks.push({
    name: 'stock committed for every order',
    ok: committed === placedIds.size && reservations.length === placedIds.size,
    detail: `${committed} committed reservations of ${reservations.length}`,
  });
  const orderedByDb = new Map(lineRows.map((row) => [row.variant_id, row.quantity]));
  const orderedByShoppers = new Map<string, number>();
  for (const record of records) for (const [variantId, quantity] of Object.entries(record.added)) orderedByShoppers.set(variantId, (orderedByShoppers.get(variantId) ?? 0) + quantity);
  let units = 0;
  const wrong: string[] = [];
  for (const variantId of variantIds) {
    const stock = stockRows.find((row) => row.variant_id === variantId);
    const ordered = orderedByShoppers.get(variantId) ?? 0;
    units += ordered;
    const expected = (initialOnHand.get(variantId) ?? Number.NaN) - ordered;
    if (!stock || stock.on_hand !== expected || stock.reserved !== 0 || (orderedByDb.get(variantId) ?? 0) !== ordered) {
      wrong.push(`${variantId.slice(0, 8)}: on hand ${stock?.on_hand}, reserved ${stock?.reserved}, expected ${expected}`);
    }
  }
  checks.push({
    name: 'on hand decreased by exactly the ordered quantities',
    ok: wrong.length === 0,
    detail: wrong.length === 0 ? `${units.toLocaleString('en-US')} units over ${variantIds.length} variants, nothing left reserved` : wrong.slice(0, 5).join('; '),
  });

  // Payments: one captured payment per order, for the order's amount.
  const captured = payments.filter((row) => row.status === 'CAPTURED' && placedIds.has(row.order_id) && row.captured_minor === row.amount_minor).length;
  checks.push({ name: 'payment captured for every order', ok: captured === placedIds.size && payments.length === placedIds.size, detail: `${captured} captured of ${payments.length} payments` });

  const times: SagaTimes = {
    placedAt: new Map(orderRows.map((row) => [row.id, row.placed_at.getTime()])),
    reservedAt: new Map(reservations.map((row) => [row.order_id, row.created_at.getTime()])),
    authorizedAt: new Map(payments.flatMap((row) => (row.authorized_at ? [[row.order_id, row.authorized_at.getTime()] as const] : []))),
    confirmedAt: new Map(transitions.map((row) => [row.order_id, row.at.getTime()])),
  };
  return { checks, times };
}

export interface EventHop {
  what: string;
  events: number;
  p50: number;
  p95: number;
}

function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))] as number;
}

/**
 * The saga's Kafka legs, for events written within [fromWall, toWall]:
 * each domain's outbox relay (row written → published to Kafka) and each
 * consumer (published → its transaction began: processed_events.processed_at
 * is the transaction's start), matched by event id across the databases.
 */
export async function eventHops(databases: Record<SubgraphName, string>, fromWall: number, toWall: number): Promise<EventHop[]> {
  const domains = ['orders', 'inventory', 'payments', 'cart'] as const;
  const window = [new Date(fromWall), new Date(toWall)];
  const outboxes = await Promise.all(
    domains.map((domain) =>
      query<{ event_id: string; event_type: string; created_at: Date; published_at: Date | null }>(
        databases[domain],
        'SELECT event_id, event_type, created_at, published_at FROM outbox_events WHERE created_at BETWEEN $1 AND $2',
        window,
      ),
    ),
  );
  const processed = await Promise.all(
    domains.map((domain) => query<{ event_id: string; processed_at: Date }>(databases[domain], 'SELECT event_id, processed_at FROM processed_events WHERE processed_at >= $1', [window[0]])),
  );
  const published = new Map<string, { type: string; at: number }>();
  const hops: EventHop[] = [];
  domains.forEach((domain, index) => {
    const rows = outboxes[index] ?? [];
    const delays: number[] = [];
    for (const row of rows) {
      if (!row.published_at) continue;
      published.set(row.event_id, { type: row.event_type, at: row.published_at.getTime() });
      delays.push(row.published_at.getTime() - row.created_at.getTime());
    }
    hops.push({ what: `${domain} outbox relay: written → published`, events: delays.length, p50: percentileOf(delays, 50), p95: percentileOf(delays, 95) });
  });
  domains.forEach((domain, index) => {
    const delays: number[] = [];
    const types = new Set<string>();
    for (const row of processed[index] ?? []) {
      const event = published.get(row.event_id);
      if (!event) continue;
      types.add(event.type);
      delays.push(row.processed_at.getTime() - event.at);
    }
    if (delays.length > 0) {
      hops.push({
        what: `${domain} consumer (${[...types].sort().join(', ')}): published → handling starts`,
        events: delays.length,
        p50: percentileOf(delays, 50),
        p95: percentileOf(delays, 95),
      });
    }
  });
  return hops;
}

export interface ConnectionSample {
  database: string;
  /** Mean connections per sample in each state ("active", "idle in transaction", "idle", "active, waiting on Lock"…). */
  states: Map<string, number>;
}

/**
 * Samples pg_stat_activity of the bench databases every `intervalMs` until
 * stopped: how many connections of each service's pool are busy, idle inside
 * a transaction (waiting on the service) or waiting on a lock.
 */
export function sampleConnections(serverUrl: string, databaseNames: readonly string[], intervalMs: number): { stop(): Promise<ConnectionSample[]> } {
  const client = new pg.Client({ connectionString: serverUrl });
  const totals = new Map<string, Map<string, number>>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ datname: string; state: string; count: number }>(
        `SELECT datname, coalesce(state, '?') || CASE WHEN wait_event_type IN ('Lock', 'LWLock', 'IO') THEN ', waiting on ' || wait_event_type ELSE '' END AS state,
                count(*)::int AS count
           FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid() GROUP BY 1, 2`,
        [databaseNames],
      );
      samples++;
      for (const row of rows) {
        const states = totals.get(row.datname) ?? new Map<string, number>();
        states.set(row.state, (states.get(row.state) ?? 0) + row.count);
        totals.set(row.datname, states);
      }
      await sleep(intervalMs);
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return [...totals].map(([database, states]) => ({
        database,
        states: new Map([...states].map(([state, count]) => [state, count / Math.max(1, samples)])),
      }));
    },
  };
}
