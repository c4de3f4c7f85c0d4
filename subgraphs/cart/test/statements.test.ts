/**
 * What the checkout's hot paths cost the cart, counted rather than timed:
 * SQL statements (from the Prisma client's query log) and Redis commands
 * (from the ioredis client the subgraph writes through). Each SQL statement
 * costs query handling in Prisma, a socket round trip and work in
 * PostgreSQL, so these bounds guard the checkout's throughput.
 *
 * The outbox's own statements (packages/events) are left out of the SQL
 * counts: the cart decides how many events it appends, not what one costs.
 * Prisma's query log shows COMMIT but not BEGIN.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyOrderPlaced } from '../src/service/checkout.service.js';
import {
  ADD_LINE,
  CART_FOR_CHECKOUT,
  CREATE_CART,
  mutate,
  seedProduct,
  startTestServer,
  tokens,
  truncateAll,
  type SeededProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';
import { isOutboxAppend as isOutbox } from '@commerce/testing';

let server: TestServer;
let auth: Tokens;
let shirt: SeededProduct;
let redisCommands: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  shirt = await seedProduct(server.db, { name: 'Linen Shirt', variants: [{ name: 'M' }, { name: 'L' }, { name: 'XL' }] });
  // Every command the subgraph sends on its Redis connection (a pipeline's commands count one by one).
  // Redis caches the cart's scripts from their first run on: EVALSHA from then on.
  await mutate(server, CREATE_CART, {});
  const redis = server.redis;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, ...rest) => {
    redisCommands.push(command.name);
    return send(command, ...rest);
  };
});

beforeEach(async () => {
  auth = await tokens();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  await server?.stop();
});

const variant = (index: number) => shirt.variants[index]!.variantId;

/** The cart's own SQL statements and the Redis commands that `work` sends. */
async function cost(work: () => Promise<unknown>): Promise<{ sql: string[]; redis: string[] }> {
  server.queries.length = 0;
  redisCommands = [];
  await work();
  return { sql: server.queries.filter((sql) => !isOutbox(sql)), redis: [...redisCommands] };
}

/** As the checkout benchmark's shopper adds: the new cart's id is all it asks for. */
const ADD_LINE_FOR_ID = 'mutation ($input: AddCartLineInput!) { addCartLine(input: $input) { cart { id } } }';

const addLine = (variantId: string, quantity: number) => () =>
  server.ok(ADD_LINE_FOR_ID, { token: auth.alice, variables: { input: { variantId, quantity } } });

describe('statements per checkout step', () => {
  it('addCartLine of a signed-in user: the first add creates the cart, later adds lock and change it', async () => {
    const first = await cost(addLine(variant(0), 2));
    const second = await cost(addLine(variant(1), 1));
    const again = await cost(addLine(variant(1), 2));
    // The variant with its prices; then in one transaction: lock-and-read (or create), write, COMMIT.
    expect(first.sql.length).toBeLessThanOrEqual(4);
    expect(second.sql.length).toBeLessThanOrEqual(4);
    expect(again.sql.length).toBeLessThanOrEqual(4);
    // One script run writes the version-checked cart, its TTL and the user index.
    for (const step of [first, second, again]) expect(step.redis).toEqual(['evalsha']);
    const row = await server.db.cart.findUniqueOrThrow({
      where: { userId: auth.aliceId },
      include: { lines: { orderBy: { position: 'asc' } } },
    });
    expect(row.lines.map((line) => [line.variantId, line.quantity, line.position])).toEqual([
      [variant(0), 2, 0],
      [variant(1), 3, 1],
    ]);
  });

  it("orders' read of the cart at placeOrder", async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(0), quantity: 2 }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(2), quantity: 1 }, auth.alice);
    const read = await cost(() => server.ok(CART_FOR_CHECKOUT, { token: auth.alice, variables: { id: added.cart.id } }));
    // The variants and their prices; the cart itself comes from Redis.
    expect(read.sql.length).toBeLessThanOrEqual(1);
    expect(read.redis).toEqual(['hget']);
  });

  it('order.placed: claim the order, lock and read the cart, write the change', async () => {
    const added = await mutate(server, ADD_LINE, { variantId: variant(0), quantity: 2 }, auth.alice);
    await mutate(server, ADD_LINE, { variantId: variant(1), quantity: 1 }, auth.alice);
    const order = {
      orderId: randomUUID(),
      cartId: added.cart.id,
      userId: auth.aliceId,
      lines: [0, 1].map((index) => ({
        lineId: randomUUID(),
        productId: shirt.productId,
        variantId: variant(index),
        sku: 'S',
        name: 'Shirt',
        quantity: index === 0 ? 2 : 1,
        unitPriceMinor: 1000,
        lineTotalMinor: 1000,
      })),
    };
    const deps = { store: server.store, logger: { warn: () => undefined } };
    const placed = await cost(() => server.db.$transaction((tx) => applyOrderPlaced(deps, tx, order)));
    // Claim-lock-and-read, write, COMMIT.
    expect(placed.sql.length).toBeLessThanOrEqual(3);
    expect(placed.redis).toEqual(['evalsha']);
    const row = await server.db.cart.findUniqueOrThrow({ where: { id: added.cart.id }, include: { lines: true } });
    expect(row.lines).toEqual([]);

    // A redelivery for the same order stops at the claim.
    const again = await cost(() => server.db.$transaction((tx) => applyOrderPlaced(deps, tx, order)));
    expect(again.sql.length).toBeLessThanOrEqual(2);
    expect(again.redis).toEqual([]);
  });
});
