/**
 * npm run bench:live — live subscriptions through the router: latency from a
 * committed change to the subscriber, and the router's memory per 1,000 idle
 * subscriptions.
 *
 * Each piece runs in its own process (own event loop, honest memory):
 *   orders   the real orders subgraph on a dedicated database,
 *            ecommerce_orders_bench (migrated, emptied, seeded with CONFIRMED
 *            orders); live updates on, relay and saga consumer off (no Kafka).
 *            Two instances: the router's subscriptions go to one, the
 *            changes are made through the other, so the change reaches the
 *            subscribers' instance through Redis only, as with several
 *            instances in production (and writes do not share its CPU)
 *   router   createRouter() from router/, production settings, run with
 *            --expose-gc so its memory is read after a full GC
 *   this     1,000 graphql-ws clients (one WebSocket each, `ws`) subscribed to
 *            orderStatusChanged through the router, spread evenly over the
 *            orders (each order's owner token), and the driver of the changes
 *
 * Steps:
 *   1. one warm-up subscription (the router plans the operation and opens its
 *      graphql-ws connection to orders), GC, router memory;
 *   2. the 1,000 subscriptions, each counted once its first event (the order
 *      as it is) has arrived; 2 s idle, GC, router memory: the delta is the
 *      cost of 1,000 idle subscriptions (client WebSockets included);
 *   3. admin mutations straight to the second orders instance at a steady rate move
 *      every order CONFIRMED → FULFILLED → SHIPPED → DELIVERED. Each
 *      transition commits in the orders process, which stamps `publishedAt`
 *      (Date.now() right after the commit, just before PUBLISH) into the live
 *      message. This process listens to the same Redis channels for those
 *      stamps and takes the time each client receives the status; latency =
 *      arrival − publishedAt (one machine, one clock). It covers Redis, the
 *      subgraph resolving the event for each subscriber (Order fields; the
 *      lines are read once per order and shared), graphql-ws to the router, the router's
 *      federated plan, and the WebSocket to the client.
 * The results go into docs/benchmarks.md between <!-- bench:live --> markers.
 *
 * Needs PostgreSQL and Redis (`npm run infra:up`). Options:
 *   --subscribers 1000  --orders 100  --rate 50 (transitions per second)  --no-write
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readEnv } from '@commerce/config';
import { askChild, awaitReady, stopChildProcess } from './child-process.ts';
import { benchmarksDoc, writeBenchmarkSection } from './benchmarks-doc.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const supergraphPath = `${repoRoot}schema/supergraph.graphql`;

const SUBSCRIPTION = `subscription OrderLive($id: ID!) {
  orderStatusChanged(orderId: $id) {
    id status statusReason updatedAt
    total { amountMinor currency }
    lines { sku quantity lineTotal { amountMinor } }
  }
}`;

const STEPS = [
  { status: 'FULFILLED', mutation: 'mutation ($id: ID!) { fulfillOrder(input: { orderId: $id }) { id } }' },
  { status: 'SHIPPED', mutation: 'mutation ($id: ID!) { shipOrder(input: { orderId: $id, trackingNumber: "1Z-BENCH" }) { id } }' },
  { status: 'DELIVERED', mutation: 'mutation ($id: ID!) { markOrderDelivered(input: { orderId: $id }) { id } }' },
] as const;

// ---------------------------------------------------------------------------
// Child processes: one role each, driven over IPC.

type Role = 'orders' | 'router';
type ToChild = { type: 'stats' } | { type: 'stop' };
interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}
interface Stats {
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  gc: boolean;
  /** Event-loop delay since the previous stats request, in ms. */
  loop: LoopDelay;
}

const loopDelayOf = (histogram: IntervalHistogram): LoopDelay => ({
  p50: histogram.percentile(50) / 1e6,
  p99: histogram.percentile(99) / 1e6,
  max: histogram.max / 1e6,
});
type FromChild = { type: 'ready'; url: string; detail?: string } | { type: 'stats'; stats: Stats } | { type: 'failed'; message: string };

function send(message: FromChild): void {
  process.send?.(message);
}

/** Serves IPC requests of the parent until told to stop. */
function serveChild(url: string, stop: () => Promise<void>, detail?: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('message', (message: ToChild) => {
    if (message.type === 'stats') {
      const delay = loopDelayOf(loop);
      // Twice: the first pass may only queue finalizers.
      gc?.();
      gc?.();
      // From here: the next request reports the delay since this one, without this GC.
      loop.reset();
      send({ type: 'stats', stats: { cpu: process.cpuUsage(), memory: process.memoryUsage(), gc: gc !== undefined, loop: delay } });
    }
    if (message.type === 'stop') {
      stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url, ...(detail ? { detail } : {}) });
}

interface SeedPayload {
  /** One CONFIRMED order per owner; empty for an instance that only serves (the database is seeded once). */
  owners: string[];
}

/** The orders subgraph on its bench database; the first instance empties it and seeds one CONFIRMED order per owner. */
async function runOrders(payload: SeedPayload): Promise<void> {
  const { postgresServerUrl } = await import('@commerce/config');
  const { migrateDatabase, migrationsDir } = await import('@commerce/prisma');
  const databaseUrl = readEnv('BENCH_ORDERS_DATABASE_URL') ?? `${postgresServerUrl()}/ecommerce_orders_bench`;
  await migrateDatabase(databaseUrl, migrationsDir('orders'), { log: () => undefined });
  const { startSubgraph } = await import('@commerce/subgraph-kit');
  // Loaded by path, like the other benchmarks: the subgraph is a package of its own.
  const { ordersSubgraph } = await import('../../subgraphs/orders/src/subgraph.ts');
  const { createOrdersPrisma } = await import('../../subgraphs/orders/src/data/prisma.ts');

  const prisma = createOrdersPrisma({ databaseUrl });
  if (payload.owners.length > 0) {
    await prisma.$executeRawUnsafe(
      'TRUNCATE orders, order_lines, order_transitions, refund_requests, refund_request_lines, outbox_events, processed_events RESTART IDENTITY CASCADE',
    );
  }
  const ids: string[] = [];
  const placedAt = new Date(Date.now() - 60_000);
  for (const userId of payload.owners) {
    const path = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'] as const;
    const order = await prisma.order.create({
      data: {
        userId,
        cartId: randomUUID(),
        idempotencyKey: randomUUID(),
        status: 'CONFIRMED',
        version: path.length,
        currency: 'USD',
        subtotalMinor: 5000,
        discountMinor: 0,
        taxMinor: 400,
        shippingMinor: 0,
        totalMinor: 5400,
        shipFullName: 'Bench Buyer',
        shipLine1: '1 Bench St',
        shipCity: 'Loadville',
        shipPostalCode: '12345',
        shipCountryCode: 'US',
        placedAt,
        lines: {
          create: [
            { position: 0, variantId: randomUUID(), productId: randomUUID(), sku: 'BENCH-1', title: 'Mug – Red', quantity: 2, unitPriceMinor: 1000, lineTotalMinor: 2000 },
            { position: 1, variantId: randomUUID(), productId: randomUUID(), sku: 'BENCH-2', title: 'Mug – Blue', quantity: 1, unitPriceMinor: 3000, lineTotalMinor: 3000 },
          ],
        },
        timeline: {
          create: path.map((to, index) => ({ seq: index + 1, fromStatus: index === 0 ? null : path[index - 1], toStatus: to, actor: index === 0 ? userId : 'system', at: placedAt })),
        },
      },
    });
    ids.push(order.id);
  }
  const running = await startSubgraph(ordersSubgraph({ prisma, relay: false, consumers: false }), { port: 0, host: '127.0.0.1' });
  serveChild(
    running.url,
    async () => {
      await running.stop();
      await prisma.$disconnect();
    },
    JSON.stringify(ids),
  );
}

async function runRouter(subgraphUrls: Record<string, string>): Promise<void> {
  const { createRouter } = await import('@commerce/router');
  const router = await createRouter({ port: 0, host: '127.0.0.1', supergraphPath, subgraphUrls, production: true, watch: false });
  serveChild(router.url, () => router.stop());
}

// ---------------------------------------------------------------------------
// Parent: orchestration

interface Child {
  role: Role;
  process: ChildProcess;
  url: string;
  detail: string | undefined;
}

function startChild(role: Role, payload: unknown): Promise<Child> {
  // BENCH_CPU_PROF=router (or orders) writes a V8 CPU profile of that process into .cache/bench-profiles on exit.
  const profile = readEnv('BENCH_CPU_PROF') === role ? ['--cpu-prof', `--cpu-prof-dir=${repoRoot}.cache/bench-profiles`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--role', role, '--payload', JSON.stringify(payload)], {
    // BENCH_CHILD_FLAGS adds node flags to every child, e.g. --trace-gc.
    execArgv: [...process.execArgv, '--expose-gc', ...profile, ...(readEnv('BENCH_CHILD_FLAGS')?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, LOG_LEVEL: readEnv('LOG_LEVEL', 'warn'), OTEL_SDK_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return awaitReady<Extract<FromChild, { type: 'ready' }>>(child, role).then((ready) => ({ role, process: child, url: ready.url, detail: ready.detail }));
}

async function statsOf(child: Child): Promise<Stats> {
  const reply = await askChild<Extract<FromChild, { type: 'stats' }>>(child.process, { type: 'stats' } satisfies ToChild, 'stats');
  return reply.stats;
}

const stopChild = (child: Child): Promise<void> => stopChildProcess(child.process, { type: 'stop' } satisfies ToChild);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Arrival {
  orderId: string;
  status: string;
  at: number;
}

interface Subscriber {
  orderId: string;
  /** Resolves with the first event (the order as it is). */
  started: Promise<void>;
  errors: unknown[];
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000' },
      orders: { type: 'string', default: '100' },
      rate: { type: 'string', default: '50' },
      'no-write': { type: 'boolean', default: false },
      role: { type: 'string' },
      payload: { type: 'string' },
    },
  });
  const subscriberCount = Number(values.subscribers);
  const orderCount = Number(values.orders);
  const rate = Number(values.rate);
  const log = (message: string): void => console.error(`bench: ${message}`);
  const loadAtStart = loadavg()[0] ?? 0;

  const { createClient } = await import('graphql-ws');
  const { WebSocket } = await import('ws');
  const { Redis } = await import('ioredis');
  const { redisUrl } = await import('@commerce/config');
  const { signAccessToken } = await import('@commerce/auth');

  const owners = Array.from({ length: orderCount }, () => randomUUID());
  const tokenOf = new Map<string, string>();
  for (const userId of owners) {
    tokenOf.set(userId, (await signAccessToken({ userId, email: `${userId}@bench.example.com`, roles: ['CUSTOMER'] }, 3_600)).token);
  }
  const adminId = randomUUID();
  const { token: adminToken } = await signAccessToken({ userId: adminId, email: 'bench-admin@bench.example.com', roles: ['ADMIN'] }, 3_600);

  const children: Child[] = [];
  const subscribers: Subscriber[] = [];
  const listener = new Redis(redisUrl());
  try {
    log(`starting orders (bench database, ${orderCount} CONFIRMED orders)…`);
    const orders = await startChild('orders', { owners } satisfies SeedPayload);
    children.push(orders);
    // A second instance takes the changes: the one serving the router hears of them through Redis only, as in production.
    log('starting a second orders instance for the writes…');
    const writer = await startChild('orders', { owners: [] } satisfies SeedPayload);
    children.push(writer);
    const orderIds = JSON.parse(orders.detail ?? '[]') as string[];
    const ownerOf = new Map(orderIds.map((id, index) => [id, owners[index] as string]));
    log('starting router…');
    const router = await startChild('router', { subgraphUrls: { orders: orders.url } });
    children.push(router);
    const wsUrl = router.url.replace(/^http/, 'ws');

    // Stamps of the orders process: `${orderId}|${status}` → publishedAt.
    const published = new Map<string, number>();
    listener.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      const event = JSON.parse(message) as { id: string; status: string; publishedAt: number };
      published.set(`${event.id}|${event.status}`, event.publishedAt);
    });
    await listener.psubscribe('live:order:*');

    let measuring = false;
    const arrivals: Arrival[] = [];
    const subscribe = (orderId: string, counted = true): Subscriber => {
      const token = tokenOf.get(ownerOf.get(orderId) as string) as string;
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      const errors: unknown[] = [];
      let first!: () => void;
      const started = new Promise<void>((resolve) => {
        first = resolve;
      });
      const dispose = client.subscribe<{ orderStatusChanged: { id: string; status: string } }>(
        { query: SUBSCRIPTION, variables: { id: orderId } },
        {
          next: (result) => {
            const at = Date.now();
            if (result.errors) errors.push(...result.errors);
            const order = result.data?.orderStatusChanged;
            if (order && measuring && counted) arrivals.push({ orderId: order.id, status: order.status, at });
            first();
          },
          error: (error) => {
            errors.push(error);
            first();
          },
          complete: () => first(),
        },
      );
      return {
        orderId,
        started,
        errors,
        async close() {
          dispose();
          await client.dispose();
        },
      };
    };

    // 1. Warm-up: plan cached, router → orders connection open.
    const warmup = subscribe(orderIds[0] as string, false);
    await warmup.started;
    await sleep(1_000);
    const idleBefore = await statsOf(router);
    const ordersBefore = await statsOf(orders);

    // 2. The subscribers, in batches so the router is not handed 1,000 handshakes at once.
    log(`opening ${subscriberCount} subscriptions (one WebSocket each) over ${orderCount} orders…`);
    const openedAt = performance.now();
    for (let index = 0; index < subscriberCount; index += 50) {
      const batch = Array.from({ length: Math.min(50, subscriberCount - index) }, (_, offset) =>
        subscribe(orderIds[(index + offset) % orderIds.length] as string),
      );
      subscribers.push(...batch);
      await Promise.all(batch.map((subscriber) => subscriber.started));
    }
    const openMs = performance.now() - openedAt;
    const refused = subscribers.filter((subscriber) => subscriber.errors.length > 0);
    if (refused.length > 0) throw new Error(`${refused.length} subscriptions failed: ${JSON.stringify(refused[0]?.errors[0])}`);
    log(`${subscribers.length} subscriptions live in ${Math.round(openMs)} ms; idling 2 s…`);
    await sleep(2_000);
    const idleAfter = await statsOf(router);
    const ordersAfter = await statsOf(orders);

    // 3. Changes at a steady rate; every subscriber of an order gets each of its statuses.
    const transitions = STEPS.flatMap((step) => orderIds.map((orderId) => ({ orderId, step })));
    const perOrder = new Map<string, number>();
    for (const subscriber of subscribers) perOrder.set(subscriber.orderId, (perOrder.get(subscriber.orderId) ?? 0) + 1);
    const expected = transitions.reduce((sum, transition) => sum + (perOrder.get(transition.orderId) ?? 0), 0);
    log(`${transitions.length} transitions at ${rate}/s (${expected} deliveries expected)…`);
    const cpuBefore = await Promise.all([statsOf(router), statsOf(orders), statsOf(writer)]);
    const selfCpuBefore = process.cpuUsage();
    const selfLoop = monitorEventLoopDelay({ resolution: 5 });
    selfLoop.enable();
    measuring = true;
    const driveStart = performance.now();
    const mutationMs: number[] = [];
    const failures: string[] = [];
    /** Each order's latest step: the next one waits for it (the state machine needs it; with the defaults it is long done). */
    const previous = new Map<string, Promise<void>>();
    for (const [index, { orderId, step }] of transitions.entries()) {
      const due = driveStart + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const transition = (previous.get(orderId) ?? Promise.resolve()).then(async () => {
        const sent = performance.now();
        const response = await fetch(writer.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: JSON.stringify({ query: step.mutation, variables: { id: orderId } }),
        });
        const body = (await response.json()) as { errors?: unknown[] };
        mutationMs.push(performance.now() - sent);
        if (body.errors) failures.push(JSON.stringify(body.errors[0]));
      });
      previous.set(orderId, transition);
    }
    await Promise.all(previous.values());
    const driveMs = performance.now() - driveStart;
    const deadline = Date.now() + 15_000;
    while (arrivals.length < expected && Date.now() < deadline) await sleep(50);
    await sleep(200);
    measuring = false;
    selfLoop.disable();
    const selfCpu = process.cpuUsage(selfCpuBefore);
    const cpuAfter = await Promise.all([statsOf(router), statsOf(orders), statsOf(writer)]);
    if (failures.length > 0) throw new Error(`${failures.length} mutations failed, e.g. ${failures[0]}`);

    const latencies: number[] = [];
    let unmatched = 0;
    for (const arrival of arrivals) {
      const stamp = published.get(`${arrival.orderId}|${arrival.status}`);
      if (stamp === undefined) unmatched++;
      else latencies.push(arrival.at - stamp);
    }
    if (readEnv('BENCH_LIVE_DEBUG')) {
      const slow = arrivals
        .map((arrival) => ({ ...arrival, latency: arrival.at - (published.get(`${arrival.orderId}|${arrival.status}`) ?? arrival.at) }))
        .filter((arrival) => arrival.latency > 80);
      const byStamp = new Map<number, number>();
      for (const arrival of slow) {
        const stamp = published.get(`${arrival.orderId}|${arrival.status}`) ?? 0;
        byStamp.set(stamp, (byStamp.get(stamp) ?? 0) + 1);
      }
      console.error(`slow deliveries: ${slow.length}; by publish time (ms after drive start): ${[...byStamp.entries()].map(([stamp, count]) => `${Math.round(stamp - (Date.now() - performance.now() + driveStart))}×${count}`).join(' ')}`);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? Number.NaN;
    const mutationSorted = [...mutationMs].sort((a, b) => a - b);
    const mutationP50 = mutationSorted[Math.floor(mutationSorted.length / 2)] ?? Number.NaN;
    const seconds = driveMs / 1000;
    const cpuPercent = (before: Stats, after: Stats): number =>
      ((after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000 / driveMs) * 100;

    const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    const per1000 = (bytes: number): string => mb((bytes * 1000) / subscriberCount);
    const kbEach = (bytes: number): string => `${(bytes / subscriberCount / 1024).toFixed(1)} KB`;
    const rss = idleAfter.memory.rss - idleBefore.memory.rss;
    const heap = idleAfter.memory.heapUsed - idleBefore.memory.heapUsed;
    const external = idleAfter.memory.external + idleAfter.memory.arrayBuffers - (idleBefore.memory.external + idleBefore.memory.arrayBuffers);
    const ordersHeap = ordersAfter.memory.heapUsed - ordersBefore.memory.heapUsed;
    const p95 = pct(95);
    const count = (value: number): string => value.toLocaleString('en-US');
    const fmt = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
    const loopText = (delay: LoopDelay): string => `loop delay ${fmt(delay.p99)} / ${fmt(delay.max)}`;

    const date = new Date().toISOString().slice(0, 10);
    const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const section = `## Live subscriptions through the router

Measured ${date} on ${cpus().length} cores (${cpuModel}), Node ${process.version}, by \`npm run bench:live\`. Two orders
subgraph instances, the router and the ${count(subscriberCount)} graphql-ws clients each in their own process on these cores, with
PostgreSQL and Redis. Load average when the run started: ${loadAtStart.toFixed(1)}.

Workload: ${count(subscriberCount)} \`orderStatusChanged\` subscriptions through one router, one WebSocket each, ${subscriberCount / orderCount} per order
over ${orderCount} orders (the owner's token), selecting \`id status statusReason updatedAt total lines { sku quantity lineTotal }\`
(each event is resolved per subscriber in the orders subgraph; an order's lines are read from PostgreSQL once and
shared by its subscribers). Admin mutations sent straight to a second orders instance (the first serves the
router's subscriptions and hears of the changes through Redis only, as with several instances) moved every order
CONFIRMED → FULFILLED → SHIPPED → DELIVERED at ${rate} transitions/s: ${count(transitions.length)} commits, ${count(arrivals.length)} of ${count(expected)} expected
deliveries in ${seconds.toFixed(1)} s (${count(Math.round(arrivals.length / seconds))} events/s to clients).

Latency = arrival at the client − \`publishedAt\`, the time the orders process took right after the transaction
committed, just before PUBLISH (carried in the live message; same clock). It covers Redis pub/sub, the subgraph
resolving the event per subscriber, graphql-ws to the router, the router's query plan and the client WebSocket.

| | p50 | p95 | p99 | max |
|---|---:|---:|---:|---:|
| commit → client | ${fmt(pct(50))} | **${fmt(p95)}** | ${fmt(pct(99))} | ${fmt(latencies.at(-1) ?? Number.NaN)} |

Bar: p95 below 100 ms — **${p95 < 100 ? 'met' : 'NOT met'}**. Mutation round trip (HTTP, commit, publish) p50 ${fmt(mutationP50)}.
While driving, CPU (% of one core) and event-loop delay p99 / max of each process:
router ${Math.round(cpuPercent(cpuBefore[0] as Stats, cpuAfter[0] as Stats))}%, ${loopText((cpuAfter[0] as Stats).loop)};
orders subgraph serving the router ${Math.round(cpuPercent(cpuBefore[1] as Stats, cpuAfter[1] as Stats))}%, ${loopText((cpuAfter[1] as Stats).loop)};
orders subgraph taking the writes ${Math.round(cpuPercent(cpuBefore[2] as Stats, cpuAfter[2] as Stats))}%, ${loopText((cpuAfter[2] as Stats).loop)};
clients and driver (this process) ${Math.round(((selfCpu.user + selfCpu.system) / 1000 / driveMs) * 100)}%, ${loopText(loopDelayOf(selfLoop))} (its delay inflates the measured latency).
${unmatched > 0 ? `${unmatched} deliveries had no matching publish stamp and are left out.\n` : ''}
Router memory for ${count(subscriberCount)} idle subscriptions (after they were all live, 2 s idle, after a full GC${idleAfter.gc ? '' : ' — not available'};
client WebSockets included), opened in ${(openMs / 1000).toFixed(1)} s:

| router process | before | after | per 1,000 subscriptions | per subscription |
|---|---:|---:|---:|---:|
| RSS | ${mb(idleBefore.memory.rss)} | ${mb(idleAfter.memory.rss)} | **${per1000(rss)}** | ${kbEach(rss)} |
| V8 heap used | ${mb(idleBefore.memory.heapUsed)} | ${mb(idleAfter.memory.heapUsed)} | ${per1000(heap)} | ${kbEach(heap)} |
| external + array buffers | ${mb(idleBefore.memory.external + idleBefore.memory.arrayBuffers)} | ${mb(idleAfter.memory.external + idleAfter.memory.arrayBuffers)} | ${per1000(external)} | ${kbEach(external)} |

For comparison, the orders subgraph's heap grew by ${per1000(ordersHeap)} for the same subscriptions (they share one router
connection and one Redis SUBSCRIBE per order).`;
    console.log(`\n${section}\n`);
    if (!values['no-write']) {
      writeBenchmarkSection('live', section);
      log(`wrote ${benchmarksDoc}`);
    }
    if (!(p95 < 100)) process.exitCode = 2;
    await warmup.close();
  } finally {
    await Promise.all(subscribers.map((subscriber) => subscriber.close().catch(() => undefined)));
    listener.disconnect();
    await Promise.all(children.reverse().map((child) => stopChild(child)));
  }
}

// ---------------------------------------------------------------------------

const { values: roleArgs } = parseArgs({
  options: { role: { type: 'string' }, payload: { type: 'string' } },
  strict: false,
});
const role = typeof roleArgs.role === 'string' ? (roleArgs.role as Role) : undefined;
const payload: unknown = typeof roleArgs.payload === 'string' ? JSON.parse(roleArgs.payload) : null;

try {
  if (role === 'orders') await runOrders(payload as SeedPayload);
  else if (role === 'router') await runRouter((payload as { subgraphUrls: Record<string, string> }).subgraphUrls);
  else {
    await main();
    process.exit(process.exitCode ?? 0);
  }
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (role) {
    send({ type: 'failed', message });
    process.exit(1);
  }
  console.error(`bench failed: ${message}`);
  process.exit(1);
}
