/**
 * Live carts: every committed change is published on live:cart:<id>, and
 * Subscription.cartUpdated (a real graphql-ws client against the subgraph,
 * as the router connects) gives the cart as it is, then the cart after each
 * change, priced like a query. Only the owner, the token holder or an admin
 * may follow; a merged anonymous cart ends its subscriptions with FORBIDDEN.
 */
import { randomUUID } from 'node:crypto';
import { redisUrl } from '@commerce/config';
import { liveChannel } from '@commerce/live';
import { eventually, recordSubscription, type RecordedSubscription } from '@commerce/testing';
import { createLogger } from '@commerce/observability';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { liveRunner, RedisCartLive, type LiveCartMessage } from '../src/data/live.js';
import { applyOrderPlaced } from '../src/service/checkout.service.js';
import {
  ADD_LINE,
  anonymousCart,
  APPLY_CODE,
  MERGE,
  mutate,
  seedProduct,
  startTestServer,
  tokens,
  truncateAll,
  UPDATE_QUANTITY,
  type SeededProduct,
  type TestServer,
  type Tokens,
} from './helpers.js';

let server: TestServer;
let auth: Tokens;
let shirt: SeededProduct;
let mug: SeededProduct;
let redis: Redis;

beforeAll(async () => {
  server = await startTestServer();
  await truncateAll(server.db);
  shirt = await seedProduct(server.db, { name: 'Shirt' });
  mug = await seedProduct(server.db, { name: 'Mug' });
  redis = new Redis(redisUrl());
});

beforeEach(async () => {
  auth = await tokens();
});

afterAll(async () => {
  if (server) await truncateAll(server.db);
  redis?.disconnect();
  await server?.stop();
});

const variant = (product: SeededProduct) => product.variants[0]!.variantId;

const FIELDS = 'id itemCount discountCode lines { title quantity lineTotal { amountMinor } } totals { subtotal { amountMinor } discount { amountMinor } total { amountMinor } } updatedAt';
const SUBSCRIPTION = `subscription ($id: ID!, $token: String) { cartUpdated(cartId: $id, cartToken: $token) { ${FIELDS} } }`;

interface Followed {
  id: string;
  itemCount: number;
  discountCode: string | null;
  lines: { title: string; quantity: number; lineTotal: { amountMinor: number } }[];
  totals: { subtotal: { amountMinor: number }; discount: { amountMinor: number }; total: { amountMinor: number } };
}

type Stream = RecordedSubscription<{ cartUpdated: Followed }> & { carts(): Followed[] };

function follow(cartId: string, options: { token?: string; cartToken?: string } = {}): Stream {
  const stream = recordSubscription<{ cartUpdated: Followed }>(
    server.url,
    { query: SUBSCRIPTION, variables: { id: cartId, token: options.cartToken ?? null } },
    options.token ? { token: options.token } : {},
  );
  return Object.assign(stream, { carts: () => stream.data().flatMap((data) => (data.cartUpdated ? [data.cartUpdated] : [])) });
}

/** Waits (5 s at most) for `probe` to find what it looks for. */
const until = <T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> => eventually(probe, 5_000, 20);

const subscribers = async (cartId: string): Promise<number> => {
  const [, count] = (await redis.pubsub('NUMSUB', liveChannel.cart(cartId))) as [string, number];
  return Number(count);
};

const started = (stream: Stream) => until(() => (stream.results.length > 0 || stream.done ? true : undefined));
const received = (stream: Stream, count: number) => until(() => (stream.carts().length >= count || stream.done ? stream.carts() : undefined));

const allErrors = (stream: Stream): { message?: string; extensions?: Record<string, unknown> }[] => [
  ...stream.errors.flatMap((error) => (Array.isArray(error) ? error : [error])),
  ...stream.results.flatMap((result) => result.errors ?? []),
];
const errorCodes = (stream: Stream): unknown[] => allErrors(stream).map((error) => error.extensions?.code);

/** A signed-in user's cart with one shirt. */
async function userCart(token: string): Promise<string> {
  return (await mutate(server, ADD_LINE, { variantId: variant(shirt), quantity: 1 }, token)).cart.id;
}

describe('publishing', () => {
  it('publishes each committed change with the new state (no token hash), and nothing for a change that changes nothing', async () => {
    const cartId = await userCart(auth.alice);
    const listener = new Redis(redisUrl());
    const messages: LiveCartMessage[] = [];
    listener.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message) as LiveCartMessage));
    try {
      await listener.subscribe(liveChannel.cart(cartId));
      await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 2 }, auth.alice);
      // Lowering a quantity has no Kafka event, but it is a new state.
      const added = await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
      const mugLine = added.cart.lines.find((line) => line.quantity === 3)!;
      await mutate(server, UPDATE_QUANTITY, { lineId: mugLine.id, quantity: 1 }, auth.alice);
      // Same quantity again: nothing changes, nothing is published.
      await mutate(server, UPDATE_QUANTITY, { lineId: mugLine.id, quantity: 1 }, auth.alice);
      await until(() => (messages.length >= 3 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(messages.map((message) => (message.kind === 'UPDATED' ? [message.version, message.cart.lines.map((line) => line.quantity)] : message.kind))).toEqual([
        [3, [1, 2]],
        [4, [1, 3]],
        [5, [1, 1]],
      ]);
      const first = messages[0];
      expect(first).toMatchObject({ __typename: 'Cart', id: cartId, kind: 'UPDATED', cart: { id: cartId, userId: auth.aliceId, tokenHash: null } });
      expect(first?.kind === 'UPDATED' && typeof first.publishedAt === 'number' && Date.parse(first.changedAt) <= first.publishedAt).toBe(true);
    } finally {
      listener.disconnect();
    }
  });
});

describe('Subscription.cartUpdated (graphql-ws)', () => {
  it("gives a user's cart as it is, then the priced cart after each change", async () => {
    const cartId = await userCart(auth.alice);
    const stream = follow(cartId, { token: auth.alice });
    try {
      await started(stream);
      expect(stream.results[0]?.errors).toBeUndefined();
      expect(stream.carts()[0]).toMatchObject({ id: cartId, itemCount: 1, lines: [{ title: 'Shirt – M', quantity: 1 }], totals: { subtotal: { amountMinor: 1000 } } });

      await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 2 }, auth.alice);
      await mutate(server, APPLY_CODE, { code: 'WELCOME10' }, auth.alice);
      const carts = await received(stream, 3);
      expect(carts[1]).toMatchObject({ itemCount: 3, totals: { subtotal: { amountMinor: 3000 }, discount: { amountMinor: 0 } } });
      expect(carts[1]?.lines.map((line) => [line.title, line.quantity, line.lineTotal.amountMinor])).toEqual([
        ['Shirt – M', 1, 1000],
        ['Mug – M', 2, 2000],
      ]);
      expect(carts[2]).toMatchObject({ discountCode: 'WELCOME10', totals: { subtotal: { amountMinor: 3000 }, discount: { amountMinor: 300 } } });
      expect(errorCodes(stream)).toEqual([]);
    } finally {
      await stream.close();
    }
    await until(async () => ((await subscribers(cartId)) === 0 ? true : undefined));
  });

  it('skips a version older than the one it gave', async () => {
    const cartId = await userCart(auth.alice);
    const stream = follow(cartId, { token: auth.alice });
    try {
      await started(stream);
      const stale = await server.store.get(cartId);
      await mutate(server, ADD_LINE, { variantId: variant(mug), quantity: 1 }, auth.alice);
      await received(stream, 2);
      const old: LiveCartMessage = {
        __typename: 'Cart',
        id: cartId,
        kind: 'UPDATED',
        version: stale!.version,
        cart: stale!,
        changedAt: stale!.updatedAt,
        publishedAt: Date.now(),
      };
      await redis.publish(liveChannel.cart(cartId), JSON.stringify(old));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(stream.carts().map((cart) => cart.itemCount)).toEqual([1, 2]);
    } finally {
      await stream.close();
    }
  });

  it('follows an anonymous cart with its token; a merge ends the subscription with FORBIDDEN (CART_MERGED)', async () => {
    const guest = await anonymousCart(server);
    const stream = follow(guest.id, { cartToken: guest.token });
    const mine = follow(await userCart(auth.bob), { token: auth.bob });
    try {
      await started(stream);
      await started(mine);
      expect(stream.carts()[0]).toMatchObject({ id: guest.id, itemCount: 0, lines: [] });
      await mutate(server, ADD_LINE, { cartId: guest.id, cartToken: guest.token, variantId: variant(mug), quantity: 2 });
      expect((await received(stream, 2))[1]).toMatchObject({ itemCount: 2, totals: { subtotal: { amountMinor: 2000 } } });

      await mutate(server, MERGE, { cartId: guest.id, cartToken: guest.token }, auth.bob);
      await stream.completed;
      const [error] = allErrors(stream);
      expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CART_MERGED' });
      expect(error?.message).toMatch(/merged/);
      // Bob's own cart subscription saw the merged lines.
      const merged = await until(() => mine.carts().find((cart) => cart.itemCount === 3));
      expect(merged.lines.map((line) => [line.title, line.quantity])).toEqual([
        ['Shirt – M', 1],
        ['Mug – M', 2],
      ]);
      expect(mine.done).toBe(false);
    } finally {
      await stream.close();
      await mine.close();
    }
    await until(async () => ((await subscribers(guest.id)) === 0 ? true : undefined));
  });

  it('goes on after checkout: the emptied cart is an ordinary event', async () => {
    const cartId = await userCart(auth.alice);
    const stream = follow(cartId, { token: auth.alice });
    const live = new RedisCartLive(createLogger({ service: 'cart-test', level: 'silent' }));
    try {
      await started(stream);
      // As the consumer runs order.placed: in its transaction, published after the commit.
      await liveRunner(server.db, live).$transaction((tx) =>
        applyOrderPlaced({ store: server.store, logger: { warn: () => undefined } }, tx, {
          orderId: randomUUID(),
          cartId,
          userId: auth.aliceId,
          lines: [{ lineId: randomUUID(), productId: shirt.productId, variantId: variant(shirt), sku: 'S', name: 'Shirt', quantity: 1, unitPriceMinor: 1000, lineTotalMinor: 1000 }],
        }),
      );
      const carts = await received(stream, 2);
      expect(carts[1]).toMatchObject({ id: cartId, itemCount: 0, lines: [], totals: { total: { amountMinor: 0 } } });
      expect(stream.done).toBe(false);
    } finally {
      await live.close();
      await stream.close();
    }
  });

  it('lets an admin follow any cart, an anonymous one without its token too', async () => {
    const guest = await anonymousCart(server);
    const stream = follow(guest.id, { token: auth.admin });
    try {
      await started(stream);
      expect(stream.carts()).toHaveLength(1);
      expect(errorCodes(stream)).toEqual([]);
    } finally {
      await stream.close();
    }
  });

  it('refuses what Query.cart refuses, before subscribing to anything', async () => {
    const alices = await userCart(auth.alice);
    const guest = await anonymousCart(server);
    for (const [cartId, options, code] of [
      [alices, { token: auth.bob }, 'FORBIDDEN'],
      [alices, {}, 'UNAUTHENTICATED'],
      [guest.id, {}, 'FORBIDDEN'],
      [guest.id, { cartToken: 'wrong-token' }, 'FORBIDDEN'],
      [guest.id, { token: auth.bob }, 'FORBIDDEN'],
      [randomUUID(), { token: auth.bob }, 'NOT_FOUND'],
    ] as const) {
      const stream = follow(cartId, options);
      try {
        await stream.completed;
        expect(stream.carts()).toEqual([]);
        expect(errorCodes(stream)).toContain(code);
      } finally {
        await stream.close();
      }
    }
    expect(await subscribers(alices)).toBe(0);
    expect(await subscribers(guest.id)).toBe(0);
  });
});
