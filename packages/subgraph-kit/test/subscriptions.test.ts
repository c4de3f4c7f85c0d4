/**
 * graphql-ws serving in the kit: a small subgraph whose Subscription field is
 * backed by @commerce/live (real Redis), reached with a real graphql-ws client.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client, type ExecutionResult, type SubscribePayload } from 'graphql-ws';
import { gql } from 'graphql-tag';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { redisUrl } from '@commerce/config';
import { forbidden } from '@commerce/errors';
import { closeLiveSubscribers, createLivePublisher, subscribeLive, type LivePublisher } from '@commerce/live';
import {
  isAuthenticated,
  ownerOrAdmin,
  startSubgraph,
  subscriptionField,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphDefinition,
} from '../src/index.js';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Gadget @key(fields: "id") {
    id: ID!
    name: String!
    ownerId: ID!
    "Resolved per event from the context: proves each event gets a fresh one."
    contextSerial: Int!
  }

  type Query {
    gadget(id: ID!): Gadget
  }

  type Subscription {
    gadgetUpdated(id: ID!): Gadget!
    "Ends with FORBIDDEN after its first event."
    revokedAfterOne(id: ID!): Gadget!
    "Fails with an unexpected error after its first event."
    brokenAfterOne(id: ID!): Gadget!
  }
`;

const OWNERS: Record<string, string> = { g1: 'ada', g2: 'grace' };
const channelOf = (id: string): string => `test:kit:gadget:${runId}:${id}`;
const runId = randomUUID();

interface GadgetContext extends BaseContext {
  serial: number;
}
let contexts = 0;

/** Yields the channel's first message, then fails with `error`. */
function firstThenFail(id: string, error: Error): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      const live = subscribeLive<unknown>(channelOf(id));
      let sent = false;
      return {
        async next() {
          if (sent) {
            await live.return?.();
            throw error;
          }
          sent = true;
          return live.next();
        },
        return: () => live.return?.() ?? Promise.resolve({ value: undefined, done: true }),
      };
    },
  };
}

const definition: SubgraphDefinition<GadgetContext> = {
  name: 'catalog',
  typeDefs,
  resolvers: {
    Query: { gadget: (_parent: unknown, args: { id: string }) => ({ id: args.id, name: 'Gadget', ownerId: OWNERS[args.id] }) },
    Gadget: { contextSerial: (_gadget: unknown, _args: unknown, ctx: GadgetContext) => ctx.serial },
    Subscription: {
      gadgetUpdated: subscriptionField<GadgetContext, { id: string }>((_parent, args) => subscribeLive(channelOf(args.id))),
      revokedAfterOne: subscriptionField<GadgetContext, { id: string }>((_parent, args) =>
        firstThenFail(args.id, forbidden('This gadget is no longer yours.')),
      ),
      brokenAfterOne: subscriptionField<GadgetContext, { id: string }>((_parent, args) =>
        firstThenFail(args.id, new Error('redis cluster node 10.0.0.7 is gone')),
      ),
    },
  },
  permissions: {
    Subscription: {
      gadgetUpdated: ownerOrAdmin<unknown, { id: string }>((_parent, args) => OWNERS[args.id]),
      revokedAfterOne: isAuthenticated,
      brokenAfterOne: isAuthenticated,
    },
  },
  createContext: (base) => ({ ...base, serial: ++contexts }),
};

let subgraph: RunningSubgraph;
let publisher: LivePublisher;
let admin: Redis;
const clients: Client[] = [];

const bearer = async (userId: string, ttlSeconds?: number): Promise<string> =>
  `Bearer ${(await signAccessToken({ userId, email: `${userId}@example.com`, roles: ['CUSTOMER'] }, ttlSeconds)).token}`;

function client(connectionParams?: Record<string, unknown>, url = subgraph.url): Client {
  const c = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

/** A subscription's messages as they arrive; `next()` waits for the following one. */
interface Received {
  next(timeoutMs?: number): Promise<ExecutionResult>;
  /** Resolves with the error payload, or 'complete'. */
  ended: Promise<unknown>;
  dispose(): void;
}

function subscribe(c: Client, payload: SubscribePayload): Received {
  const results: ExecutionResult[] = [];
  const waiters: ((result: ExecutionResult) => void)[] = [];
  let settle!: (value: unknown) => void;
  const ended = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const dispose = c.subscribe(payload, {
    next: (value) => {
      const waiter = waiters.shift();
      if (waiter) waiter(value as ExecutionResult);
      else results.push(value as ExecutionResult);
    },
    error: (error) => settle(error),
    complete: () => settle('complete'),
  });
  return {
    next(timeoutMs = 5_000) {
      const queued = results.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no event within the timeout')), timeoutMs);
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    ended,
    dispose,
  };
}

/** Waits until this process's shared subscriber listens on the channel, so a publish is not lost. */
async function listening(channel: string): Promise<void> {
  await expect
    .poll(async () => Number(((await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]), { timeout: 5_000, interval: 20 })
    .toBeGreaterThan(0);
}

beforeAll(async () => {
  subgraph = await startSubgraph(definition, { port: 0, host: '127.0.0.1' });
  publisher = createLivePublisher();
  admin = new Redis(redisUrl());
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await subgraph?.stop();
  await publisher?.close();
  admin?.disconnect();
  closeLiveSubscribers();
});

const GADGET_UPDATED = 'subscription ($id: ID!) { gadgetUpdated(id: $id) { id name contextSerial } }';

describe('subgraph subscriptions over graphql-ws', () => {
  it('streams live events to the owner, each event with a fresh context', async () => {
    const received = subscribe(client({ authorization: await bearer('ada') }), { query: GADGET_UPDATED, variables: { id: 'g1' } });
    await listening(channelOf('g1'));
    await publisher.publish(channelOf('g1'), { id: 'g1', name: 'Blue gadget', ownerId: 'ada' });
    const first = await received.next();
    await publisher.publish(channelOf('g1'), { id: 'g1', name: 'Red gadget', ownerId: 'ada' });
    const second = await received.next();
    expect(first).toMatchObject({ data: { gadgetUpdated: { id: 'g1', name: 'Blue gadget' } } });
    expect(second).toMatchObject({ data: { gadgetUpdated: { id: 'g1', name: 'Red gadget' } } });
    const serial = (result: ExecutionResult) => (result.data?.gadgetUpdated as { contextSerial?: number } | undefined)?.contextSerial ?? 0;
    expect(serial(second)).toBeGreaterThan(serial(first));
    received.dispose();
  });

  it('refuses a subscriber the shield rule denies, with FORBIDDEN, then completes', async () => {
    const received = subscribe(client({ authorization: await bearer('grace') }), { query: GADGET_UPDATED, variables: { id: 'g1' } });
    const result = await received.next();
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    await expect(received.ended).resolves.toBe('complete');
  });

  it('takes identity per operation from extensions.authorization, so one connection serves many users', async () => {
    // The connection itself is anonymous, like the router's shared connection.
    const shared = client();
    const ada = subscribe(shared, { query: GADGET_UPDATED, variables: { id: 'g1' }, extensions: { authorization: await bearer('ada') } });
    const grace = subscribe(shared, { query: GADGET_UPDATED, variables: { id: 'g2' }, extensions: { authorization: await bearer('grace') } });
    const anonymous = subscribe(shared, { query: GADGET_UPDATED, variables: { id: 'g2' } });
    await listening(channelOf('g1'));
    await listening(channelOf('g2'));
    await publisher.publish(channelOf('g1'), { id: 'g1', name: 'For Ada', ownerId: 'ada' });
    await publisher.publish(channelOf('g2'), { id: 'g2', name: 'For Grace', ownerId: 'grace' });
    expect(await ada.next()).toMatchObject({ data: { gadgetUpdated: { name: 'For Ada' } } });
    expect(await grace.next()).toMatchObject({ data: { gadgetUpdated: { name: 'For Grace' } } });
    expect((await anonymous.next()).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    ada.dispose();
    grace.dispose();
  });

  it('answers a bad token with an UNAUTHENTICATED error on that operation only', async () => {
    const shared = client();
    const bad = subscribe(shared, { query: GADGET_UPDATED, variables: { id: 'g1' }, extensions: { authorization: 'Bearer nope' } });
    const error = (await bad.ended) as { message: string; extensions?: Record<string, unknown> }[];
    expect(error[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    // The connection is still good for others.
    const good = subscribe(shared, { query: '{ gadget(id: "g1") { id } }' });
    expect(await good.next()).toEqual({ data: { gadget: { id: 'g1' } } });
  });

  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
    const received = subscribe(client(), { query: 'subscription { nope }' });
    const errors = (await received.ended) as { extensions?: Record<string, unknown> }[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('forwards an error thrown by the source and ends the subscription; unexpected errors are masked', async () => {
    const token = await bearer('ada');
    const revoked = subscribe(client({ authorization: token }), { query: 'subscription { revokedAfterOne(id: "r1") { id } }' });
    const broken = subscribe(client({ authorization: token }), { query: 'subscription { brokenAfterOne(id: "b1") { id } }' });
    await listening(channelOf('r1'));
    await listening(channelOf('b1'));
    await publisher.publish(channelOf('r1'), { id: 'r1', name: 'x', ownerId: 'ada' });
    await publisher.publish(channelOf('b1'), { id: 'b1', name: 'x', ownerId: 'ada' });
    expect(await revoked.next()).toMatchObject({ data: { revokedAfterOne: { id: 'r1' } } });
    expect(await broken.next()).toMatchObject({ data: { brokenAfterOne: { id: 'b1' } } });
    expect(await revoked.ended).toEqual([{ message: 'This gadget is no longer yours.', extensions: { code: 'FORBIDDEN' } }]);
    const masked = (await broken.ended) as { message: string; extensions?: Record<string, unknown> }[];
    expect(masked[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(masked)).not.toContain('10.0.0.7');
  });

  it('ends the subscription with TOKEN_EXPIRED when the token expires', async () => {
    const received = subscribe(client({ authorization: await bearer('ada', 1) }), { query: GADGET_UPDATED, variables: { id: 'g1' } });
    const errors = (await received.ended) as { extensions?: Record<string, unknown> }[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('stop() closes WebSocket clients with 1001 and returns promptly', async () => {
    const own = await startSubgraph(definition, { port: 0, host: '127.0.0.1' });
    const closes: number[] = [];
    const c = createClient({
      url: own.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: await bearer('ada') },
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    clients.push(c);
    const received = subscribe(c, { query: 'subscription { revokedAfterOne(id: "s1") { id } }' });
    // The subscription has reached the subgraph once its channel is listened to.
    await listening(channelOf('s1'));
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(received.ended).resolves.toBeDefined();
    expect(closes).toContain(1001);
  });
});
