/**
 * Faults injected while checkouts run through the router (issue 12, "Faults,
 * injected in CI"; issue 13's recovery times).
 *
 * The graph is the e2e graph (support/graph.ts: `_test` databases, consumer
 * groups of this run only). Redis is a redis-server of this suite's own, on a
 * free port, so restarting it touches nobody else. Each fault hits a wave of
 * checkouts in flight:
 * - orders, inventory, payments in turn: the in-process subgraph is replaced by
 *   the real production entry (`subgraphs/<domain>/src/main.ts`, as
 *   e2e/reliability/subgraph-crash.ts starts it) on the same port, which is
 *   SIGKILLed mid-checkout and started again;
 * - PostgreSQL: pg_terminate_backend on every connection to the orders,
 *   inventory and payments test databases;
 * - a consumer crashing between its side effect and its offset commit, in
 *   inventory (order.placed), payments (stock.reserved) and orders
 *   (payment.authorized) in turn: the real process runs with
 *   FAULT_CRASH_AFTER_COMMIT=<event type> and SIGKILLs itself right after the
 *   COMMIT of a transaction that handled one (packages/events'
 *   consumer/failpoint.ts), then starts again without it;
 * - Redis: the suite's redis-server is SIGKILLed and started again;
 * - the Kafka broker: stopped and started again (only a broker this project
 *   started, as CI's always is; test files run one at a time, so no other
 *   file is using it; FAULT_KAFKA=0 leaves it out).
 *
 * Topics cannot be prefixed (only groups, KAFKA_GROUP_PREFIX), so every check
 * counts this suite's own orders only.
 *
 * At the end: every order is CONFIRMED once (one CONFIRMED in its timeline,
 * its payment captured, one payment intent), or CANCELLED/PAYMENT_FAILED with
 * nothing captured; stock is exact and nothing stays reserved; no dead-letter
 * message names one of these orders.
 *
 * FAULT_ROUNDS (default 1) and FAULT_WAVE (checkouts per fault, default 4)
 * make it longer; FAULT_REPORT=<file> appends a JSON line of outcomes there
 * (`npm run chaos` turns it into docs/reliability.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, kafkaBrokers } from '@commerce/config';
import { freePort, isKafkaUp, managedKafkaPid, startKafka, stopKafka } from '@commerce/infra';
import { kafkaGroupId } from '@commerce/events';
import { eventually, graphql, graphqlOk, tokenFor } from '@commerce/testing';
import { startGraph, type Graph, type GraphDomain } from './support/graph.ts';
import { addToCart, adminToken, awaitAllStatuses, createStockedProduct, SHIPPING_ADDRESS, stockOf } from './support/shop.ts';

const ROUNDS = Math.max(1, Number(process.env.FAULT_ROUNDS ?? '1'));
const WAVE = Math.max(1, Number(process.env.FAULT_WAVE ?? '4'));
const WITH_KAFKA = process.env.FAULT_KAFKA !== '0';
const REPORT = process.env.FAULT_REPORT;
const FINAL = ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'];
/** graph.ts' Stripe webhook secret (the real payments process must verify the mock's webhooks). */
const WEBHOOK_SECRET = 'whsec_e2e_local_only';
const STOCK = 1_000;

let graph: Graph;
const kafka = new Kafka({ clientId: 'fault-injection', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
let url: string;
let admin: string;
let variantId: string;
let redisPort: number;
let redis: ChildProcess | undefined;
const savedRedisUrl = process.env.REDIS_URL;
const spawned = new Set<ChildProcess>();
/** The consumer groups each killed process runs. */
const GROUPS: Partial<Record<GraphDomain, string[]>> = { orders: ['orders'], inventory: ['inventory', 'inventory-live'], payments: ['payments'] };
/** Where a consumer crashes between its side effect and its offset commit: one step of the saga each. */
const CRASH_AFTER_COMMIT: readonly (readonly [GraphDomain, string])[] = [
  ['inventory', 'order.placed'],
  ['payments', 'stock.reserved'],
  ['orders', 'payment.authorized'],
];
/** End offsets of the commerce topics when the graph was up: where this run's groups start. */
let startMarks = new Map<string, Map<number, string>>();

interface Placed {
  token: string;
  orderId: string;
}
interface FaultOutcome {
  fault: string;
  orders: number;
  /** From the fault until every order of its wave is final. */
  recoveryMs: number;
  /** For a killed subgraph: from the restart's spawn until it listens. */
  restartListeningMs?: number;
}
const outcomes: FaultOutcome[] = [];
const allOrders: Placed[] = [];

async function startRedis(): Promise<void> {
  const child = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redis = child;
  spawned.add(child);
  child.on('exit', () => spawned.delete(child));
  await eventually(async () => {
    const probe = new Redis(`redis://127.0.0.1:${redisPort}`, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  }, 10_000, 50);
}

async function killRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** One shopper with one unit in the cart, ready to check out. */
async function shopper(): Promise<{ token: string; cartId: string }> {
  const { token } = await tokenFor();
  const { cartId } = await addToCart(url, variantId, 1, { token });
  return { token, cartId };
}

/** placeOrder, retried with the same idempotency key while a fault cuts it off. */
async function placeOrder({ token, cartId }: { token: string; cartId: string }): Promise<Placed> {
  const idempotencyKey = randomUUID();
  const orderId = await eventually(async () => {
    try {
      const result = await graphql<{ placeOrder: { id: string } | null }>(
        url,
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        { token, variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey, paymentMethodToken: 'pm_card_visa' } } },
      );
      return result.data?.placeOrder?.id ?? undefined;
    } catch {
      return undefined;
    }
  }, 90_000, 200);
  const placed = { token, orderId };
  allOrders.push(placed);
  return placed;
}

interface RealProcess {
  child: ChildProcess;
  listening: Promise<number>;
  exited: Promise<void>;
  /** Types of the redelivered events its consumers skipped as already processed (logged at debug). */
  skippedTypes: string[];
}

/** The production entry of a subgraph on `port`, configured like the in-process one it replaces. */
function startReal(domain: GraphDomain, port: number, faultEnv: Record<string, string> = {}): RealProcess {
  const extra: Record<string, string> =
    domain === 'orders'
      ? { CART_URL: graph.subgraph('cart').url }
      : domain === 'payments'
        ? {
            PAYMENT_PROVIDER: 'stripe',
            STRIPE_SECRET_KEY: 'sk_test_e2e',
            STRIPE_API_HOST: graph.stripe.host,
            STRIPE_API_PORT: String(graph.stripe.port),
            STRIPE_API_PROTOCOL: 'http',
            STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          }
        : {};
  const child = spawn(process.execPath, ['--import', 'tsx', `subgraphs/${domain}/src/main.ts`], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: {
      ...process.env,
      ...extra,
      APP_ENV: 'test',
      [`${domain.toUpperCase()}_PORT`]: String(port),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...faultEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  const started = Date.now();
  const skippedTypes: string[] = [];
  const listening = new Promise<number>((resolve) => {
    createInterface({ input: child.stdout as Readable }).on('line', (line) => {
      if (line.includes('subgraph listening')) resolve(Date.now() - started);
      if (!line.includes('event already processed')) return;
      const { type } = JSON.parse(line) as { type?: string };
      if (type) skippedTypes.push(type);
    });
  });
  if (process.env.FAULT_DEBUG) {
    child.stdout?.on('data', (chunk: Buffer) => appendFileSync(process.env.FAULT_DEBUG ?? '', `[${domain}] ${chunk.toString('utf8')}`));
    child.stderr?.on('data', (chunk: Buffer) => appendFileSync(process.env.FAULT_DEBUG ?? '', `[${domain}!] ${chunk.toString('utf8')}`));
  } else child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    spawned.delete(child);
    resolve();
  }));
  return { child, listening, exited, skippedTypes };
}

function progress(line: string): void {
  if (process.env.FAULT_DEBUG) appendFileSync(process.env.FAULT_DEBUG, `--- ${new Date().toISOString()} ${line}\n`);
}

async function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One wave of checkouts with a fault in the middle: the carts are filled
 * first, then the orders are placed while `fault` runs; returns when every
 * order of the wave is final.
 */
async function wave(fault: string, inject: (inFlight: Promise<Placed[]>) => Promise<{ at: number; restartListeningMs?: number }>): Promise<void> {
  progress(`${fault}: filling carts`);
  const shoppers = await Promise.all(Array.from({ length: WAVE }, () => shopper()));
  const placing = Promise.all(shoppers.map((s, i) => new Promise((resolve) => setTimeout(resolve, i * 50)).then(() => placeOrder(s))));
  const { at, restartListeningMs } = await inject(placing);
  progress(`${fault}: injected`);
  const placed = await placing;
  await awaitAllStatuses(url, admin, placed.map((p) => p.orderId), FINAL, 90_000);
  progress(`${fault}: recovered`);
  outcomes.push({ fault, orders: placed.length, recoveryMs: Date.now() - at, ...(restartListeningMs === undefined ? {} : { restartListeningMs }) });
}

/**
 * The graph's groups start at the end of their topics with nothing committed.
 * A partition the group has not consumed from yet has no committed offset, and
 * a new member started with KAFKA_CONSUMER_FROM_BEGINNING=false would take
 * "latest" there, skipping an event published while the group was empty (seen:
 * an order.placed published while inventory was down, never reserved). So,
 * while the group is empty, such partitions get the offset they had when the
 * graph came up. Partitions with a commit are left alone.
 */
async function pinUncommitted(kafka: Kafka, subscribed: Map<string, string[]>): Promise<void> {
  const kadmin = kafka.admin();
  await kadmin.connect();
  try {
    for (const [groupId, topics] of subscribed) {
      // setOffsets needs the group Empty: the stopped subgraph's LeaveGroup has to land first.
      await eventually(async () => ((await kadmin.describeGroups([groupId])).groups[0]?.state === 'Empty' ? true : undefined), 15_000, 50);
      const committed = await kadmin.fetchOffsets({ groupId, topics });
      for (const { topic, partitions } of committed) {
        const missing = partitions.filter((p) => p.offset === '-1');
        if (missing.length === 0) continue;
        progress(`${groupId}: pinning ${topic} ${missing.map((p) => p.partition).join(',')}`);
        await kadmin.setOffsets({ groupId, topic, partitions: missing.map((p) => ({ partition: p.partition, offset: startMarks.get(topic)?.get(p.partition) ?? '0' })) });
      }
    }
  } finally {
    await kadmin.disconnect();
  }
}

/** The topics each group of `domain` subscribes to, read from its live members' metadata. */
async function subscriptions(kafka: Kafka, domain: GraphDomain): Promise<Map<string, string[]>> {
  const kadmin = kafka.admin();
  await kadmin.connect();
  try {
    const { groups } = await kadmin.describeGroups((GROUPS[domain] ?? []).map(kafkaGroupId));
    return new Map(groups.map((g) => [g.groupId, [...new Set(g.members.flatMap((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []))]]));
  } finally {
    await kadmin.disconnect();
  }
}

async function topicMarks(kafka: Kafka, which: (topic: string) => boolean): Promise<Map<string, Map<number, string>>> {
  const kadmin = kafka.admin();
  await kadmin.connect();
  try {
    const topics = (await kadmin.listTopics()).filter(which);
    const marks = new Map<string, Map<number, string>>();
    for (const topic of topics) marks.set(topic, new Map((await kadmin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high])));
    return marks;
  } finally {
    await kadmin.disconnect();
  }
}

/**
 * How the real process of a domain dies mid-wave: SIGKILLed by the suite once
 * the saga is under way, or by itself right after committing a transaction
 * that handled an event of `eventType` (before its offset reaches Kafka).
 */
type ProcessFault = { kind: 'killed' } | { kind: 'crash-after-commit'; eventType: string };

/** The real process of `domain` dies as `fault` says while its wave is in flight, and is started again. */
function crashSubgraph(domain: GraphDomain, fault: ProcessFault): Promise<void> {
  const name = fault.kind === 'killed' ? `SIGKILL ${domain}` : `${domain} crashes after committing ${fault.eventType}`;
  return wave(name, async (placing) => {
    let at = 0;
    let restartListeningMs: number | undefined;
    const port = graph.subgraph(domain).port;
    const subscribed = await subscriptions(kafka, domain);
    await graph.restart(domain, async () => {
      progress(`${domain}: in-process stopped`);
      await pinUncommitted(kafka, subscribed);
      progress(`${domain}: offsets pinned`);
      const first = startReal(domain, port, fault.kind === 'crash-after-commit' ? { FAULT_CRASH_AFTER_COMMIT: fault.eventType } : {});
      await timeout(first.listening, 30_000, `${domain} listening`);
      if (fault.kind === 'killed') {
        // Let the saga get going: orders placed, events on their way.
        await Promise.race([placing, new Promise((resolve) => setTimeout(resolve, 1_500))]);
        first.child.kill('SIGKILL');
        await first.exited;
      } else {
        await timeout(first.exited, 60_000, `${domain} to crash after committing ${fault.eventType}`);
        // It killed itself: nobody else sends this process a signal.
        expect(first.child.signalCode).toBe('SIGKILL');
      }
      at = Date.now();
      // At debug level the restarted process logs each redelivered event it skips.
      const second = startReal(domain, port, fault.kind === 'crash-after-commit' ? { LOG_LEVEL: 'debug' } : {});
      restartListeningMs = await timeout(second.listening, 30_000, `${domain} listening again`);
      progress(`${domain}: restarted, listening`);
      const placed = await placing;
      progress(`${domain}: placed ${placed.length}`);
      await awaitAllStatuses(url, admin, placed.map((p) => p.orderId), FINAL, 90_000);
      // The event whose commit preceded the crash came back and was skipped, not applied again.
      if (fault.kind === 'crash-after-commit') expect(second.skippedTypes).toContain(fault.eventType);
      second.child.kill('SIGTERM');
      await timeout(second.exited, 30_000, `${domain} drained`);
    });
    return { at, ...(restartListeningMs === undefined ? {} : { restartListeningMs }) };
  });
}

async function dropConnections(): Promise<void> {
  await wave('pg_terminate_backend (orders, inventory, payments)', async (placing) => {
    await Promise.race([placing, new Promise((resolve) => setTimeout(resolve, 300))]);
    const at = Date.now();
    const client = new pg.Client({ connectionString: databaseUrl('orders', 'test') });
    await client.connect();
    try {
      const names = (['orders', 'inventory', 'payments'] as const).map((d) => new URL(databaseUrl(d, 'test')).pathname.slice(1));
      const { rowCount } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [names]);
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    return { at };
  });
}

async function restartRedis(): Promise<void> {
  await wave('Redis restart', async (placing) => {
    await placing; // carts live in Redis: the orders have read them
    const at = Date.now();
    await killRedis();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await startRedis();
    return { at };
  });
}

async function restartKafka(): Promise<void> {
  await wave('Kafka broker restart', async (placing) => {
    await placing;
    const at = Date.now();
    expect(await stopKafka()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await startKafka();
    return { at };
  });
}

/** Dead-letter topics' high-water marks, per topic and partition. */
const dlqOffsets = (kafka: Kafka): Promise<Map<string, Map<number, string>>> => topicMarks(kafka, (t) => t.endsWith('.dlq'));

/** Values of the dead-letter messages written since `before`. */
async function dlqSince(kafka: Kafka, before: Map<string, Map<number, string>>): Promise<string[]> {
  const after = await dlqOffsets(kafka);
  const wanted: { topic: string; partition: number; from: string; to: string }[] = [];
  for (const [topic, partitions] of after) {
    for (const [partition, high] of partitions) {
      const from = before.get(topic)?.get(partition) ?? '0';
      if (BigInt(high) > BigInt(from)) wanted.push({ topic, partition, from, to: high });
    }
  }
  if (wanted.length === 0) return [];
  const consumer = kafka.consumer({ groupId: `fault-injection-dlq-${randomUUID()}` });
  const values: string[] = [];
  const total = wanted.reduce((n, w) => n + Number(BigInt(w.to) - BigInt(w.from)), 0);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(wanted.map((w) => w.topic))], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const range = wanted.find((w) => w.topic === topic && w.partition === partition);
        if (range && BigInt(message.offset) >= BigInt(range.from) && BigInt(message.offset) < BigInt(range.to)) values.push(message.value?.toString('utf8') ?? '');
      },
    });
    for (const w of wanted) consumer.seek({ topic: w.topic, partition: w.partition, offset: w.from });
    await eventually(async () => (values.length >= total ? true : undefined), 20_000, 100);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  process.env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  graph = await startGraph();
  url = graph.routerUrl;
  admin = await adminToken(url);
  startMarks = await topicMarks(kafka, (t) => t.startsWith('commerce.') && !t.endsWith('.dlq'));
  ({ variantIds: [variantId = ''] } = await createStockedProduct(url, admin, [STOCK]));
});

afterAll(async () => {
  // The graph stops while its Redis is still up (an ioredis quit against a dead server waits), and
  // after a failure in the middle of a fault a subgraph may be stopped already: do not hang on it.
  if (graph) await timeout(graph.stop(), 20_000, 'graph stop').catch((error: unknown) => process.stderr.write(`${String(error)}\n`));
  progress('after: graph stopped');
  for (const child of spawned) if (child !== redis) child.kill('SIGKILL');
  if (WITH_KAFKA && !(await isKafkaUp())) await startKafka();
  await killRedis();
  progress('after: redis stopped');
  if (savedRedisUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedRedisUrl;
}, 60_000);

describe('checkout under injected faults', () => {
  it('finishes every order once, with exact stock and payments, through subgraph kills, dropped connections and restarts', async () => {
    const dlqBefore = await dlqOffsets(kafka);
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      for (const domain of ['orders', 'inventory', 'payments'] as const) await crashSubgraph(domain, { kind: 'killed' });
      for (const [domain, eventType] of CRASH_AFTER_COMMIT) await crashSubgraph(domain, { kind: 'crash-after-commit', eventType });
      await dropConnections();
      await restartRedis();
      if (WITH_KAFKA && managedKafkaPid() !== undefined) await restartKafka();
    }

    // Every order final, once; payments and stock agree.
    const statuses = await awaitAllStatuses(url, admin, allOrders.map((p) => p.orderId), FINAL, 60_000);
    expect(new Set(allOrders.map((p) => p.orderId)).size).toBe(allOrders.length);
    const tally: Record<string, number> = {};
    for (const { token, orderId } of allOrders) {
      const status = statuses.get(orderId) ?? '';
      tally[status] = (tally[status] ?? 0) + 1;
      const details = await eventually(async () => {
        const data = await graphqlOk<{ order: { status: string; timeline: { to: string }[]; payment: { status: string } | null } }>(
          url, 'query($id: ID!) { order(id: $id) { status timeline { to } payment { status } } }', { token, variables: { id: orderId } });
        const payment = data.order.payment?.status;
        // A confirmed order's capture, or a failed one's void, lands shortly after the status.
        const settled = status === 'CONFIRMED' ? payment === 'CAPTURED' : payment !== 'AUTHORIZED';
        return settled ? data.order : undefined;
      }, 30_000);
      if (status === 'CONFIRMED') {
        // Each step happened once: no redelivery replayed into a second transition.
        expect(details.timeline.map((t) => t.to)).toEqual(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']);
      } else {
        expect(details.timeline.filter((t) => t.to === status)).toHaveLength(1);
        // Nothing taken: the hold released, declined, or never made.
        expect(['VOIDED', 'FAILED', 'CANCELLED', 'NONE']).toContain(details.payment?.status ?? 'NONE');
      }
      const intents = graph.stripe.paymentIntents.filter((pi) => pi.metadata?.order_id === orderId);
      expect(intents.length).toBeLessThanOrEqual(1);
    }
    const confirmed = tally.CONFIRMED ?? 0;
    const stock = await eventually(async () => {
      const level = await stockOf(url, admin, variantId);
      return level.onHand === STOCK - confirmed && level.reserved === 0 ? level : undefined;
    }, 30_000);
    expect(stock).toEqual({ onHand: STOCK - confirmed, reserved: 0, available: STOCK - confirmed });

    // Nothing in a dead-letter topic names one of these orders.
    const dead = await dlqSince(kafka, dlqBefore);
    const ours = dead.filter((value) => allOrders.some((p) => value.includes(p.orderId)));
    expect(ours).toEqual([]);

    const summary = { at: new Date().toISOString(), rounds: ROUNDS, wave: WAVE, kafka: WITH_KAFKA, tookMs: Date.now() - started, tally, stock, deadLetters: { ours: ours.length, others: dead.length - ours.length }, faults: outcomes };
    process.stdout.write(`fault-injection: ${JSON.stringify(summary)}\n`);
    if (REPORT) appendFileSync(REPORT, `${JSON.stringify(summary)}\n`);
  }, 600_000);
});
