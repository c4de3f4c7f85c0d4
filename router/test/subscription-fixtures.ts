/**
 * Fake subgraphs for subscription tests, served by the real subgraph kit:
 * `widgets` owns Widget and the Subscription fields (events from Redis via
 * @commerce/live), `reviews` extends Widget with fields of its own, so every
 * event needs an entity fetch through the router.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { createClient, type Client, type ClientOptions, type ExecutionResult, type SubscribePayload } from 'graphql-ws';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { expect } from 'vitest';
import { signAccessToken } from '@commerce/auth';
import { redisUrl } from '@commerce/config';
import { forbidden } from '@commerce/errors';
import { subscribeLive } from '@commerce/live';
import { createLogger } from '@commerce/observability';
import {
  ownerOrAdmin,
  startSubgraph,
  subscriptionField,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphDefinition,
} from '@commerce/subgraph-kit';

export const WIDGETS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    widget(id: ID!): Widget
  }
  type Widget @key(fields: "id") {
    id: ID!
    name: String!
    ownerId: ID!
  }
  type Subscription {
    "Owner or admin only (checked once, when the subscription starts)."
    widgetUpdated(id: ID!): Widget!
    "Ends with FORBIDDEN right after its first event."
    widgetRevoked(id: ID!): Widget!
  }
`;

export const REVIEWS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    reviewsVersion: String
  }
  type Widget @key(fields: "id") {
    id: ID!
    reviewCount: Int!
    topReview: String
    "A list, so that a subscription's cost depends on its selection (Widget ids only: no fetch back to widgets)."
    alsoLiked(first: Int = 3): [Widget!]!
  }
`;

export const silent = createLogger({ service: 'router-test', level: 'silent' });

/** Widget ids say who owns them: `ada-1` is Ada's. */
const ownerOf = (id: string): string | undefined => /^(ada|grace)-/.exec(id)?.[1];

export const widgetChannel = (id: string): string => `test:router:widget:${id}`;

export interface WidgetEvent {
  id: string;
  name: string;
  ownerId: string;
}

export const widgetEvent = (id: string, name: string): WidgetEvent => ({ id, name, ownerId: ownerOf(id) ?? 'nobody' });

/** Yields the channel's first message, then fails with FORBIDDEN (the widget changed hands). */
function firstThenForbidden(id: string): AsyncIterable<WidgetEvent> {
  return {
    [Symbol.asyncIterator]() {
      const live = subscribeLive<WidgetEvent>(widgetChannel(id));
      let sent = false;
      return {
        async next() {
          if (sent) {
            await live.return?.();
            throw forbidden('This widget is no longer yours.');
          }
          sent = true;
          return live.next();
        },
        return: () => live.return?.() ?? Promise.resolve({ value: undefined, done: true }),
      };
    },
  };
}

export const widgetsDefinition: SubgraphDefinition = {
  name: 'catalog',
  typeDefs: parse(WIDGETS_SDL),
  resolvers: {
    Query: { widget: (_parent: unknown, args: { id: string }) => widgetEvent(args.id, `Widget ${args.id}`) },
    Widget: { __resolveReference: (ref: { id: string }) => widgetEvent(ref.id, `Widget ${ref.id}`) },
    Subscription: {
      widgetUpdated: subscriptionField<BaseContext, { id: string }>((_parent, args) => subscribeLive<WidgetEvent>(widgetChannel(args.id))),
      widgetRevoked: subscriptionField<BaseContext, { id: string }>((_parent, args) => firstThenForbidden(args.id)),
    },
  },
  permissions: {
    Subscription: {
      widgetUpdated: ownerOrAdmin<unknown, { id: string }>((_parent, args) => ownerOf(args.id)),
      widgetRevoked: ownerOrAdmin<unknown, { id: string }>((_parent, args) => ownerOf(args.id)),
    },
  },
  createContext: (base) => base,
};

/** Who the reviews subgraph saw on its entity fetches (user id, or null when anonymous). */
export const reviewCallers: (string | null)[] = [];

export const reviewsDefinition: SubgraphDefinition = {
  name: 'search',
  typeDefs: parse(REVIEWS_SDL),
  resolvers: {
    Query: { reviewsVersion: () => '1' },
    Widget: {
      __resolveReference: (ref: { id: string }, ctx: BaseContext) => {
        reviewCallers.push(ctx.identity?.userId ?? null);
        return { id: ref.id, reviewCount: ref.id.length, topReview: `Great ${ref.id}` };
      },
      alsoLiked: (widget: { id: string }, args: { first: number }) => Array.from({ length: args.first }, (_, index) => ({ id: `${widget.id}-liked-${index}` })),
    },
  },
  createContext: (base) => base,
};

export const startWidgets = (port = 0): Promise<RunningSubgraph> =>
  startSubgraph(widgetsDefinition, { port, host: '127.0.0.1', logger: silent });
export const startReviews = (): Promise<RunningSubgraph> => startSubgraph(reviewsDefinition, { port: 0, host: '127.0.0.1', logger: silent });

/** The two subgraphs composed into a supergraph file in a fresh temp dir; routing URLs point nowhere (overrides win). */
export function writeWidgetSupergraph(): { path: string; cleanup(): void } {
  const result = composeServices([
    { name: 'widgets', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(WIDGETS_SDL) },
    { name: 'reviews', url: 'http://127.0.0.1:9/graphql', typeDefs: parse(REVIEWS_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'router-subscriptions-'));
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const bearer = async (userId: string, ttlSeconds?: number): Promise<string> =>
  `Bearer ${(await signAccessToken({ userId, email: `${userId}@example.com`, roles: ['CUSTOMER'] }, ttlSeconds)).token}`;

/** A graphql-ws client of the router (no retries unless asked: tests want to see failures). */
export function wsClient(httpUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

export interface FormattedError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** A subscription's messages as they arrive. */
export interface Received {
  /** The next result; rejects when none arrives in time. */
  next(timeoutMs?: number): Promise<ExecutionResult<Record<string, unknown>, unknown>>;
  /** All results so far that were not taken with next() (tests may clear it). */
  readonly buffered: ExecutionResult[];
  /** 'complete', or what the sink's error received (GraphQL errors, or a close event). */
  ended: Promise<unknown>;
  dispose(): void;
}

export function subscribe(client: Client, payload: SubscribePayload): Received {
  const results: ExecutionResult[] = [];
  const waiters: ((result: ExecutionResult) => void)[] = [];
  let settle!: (value: unknown) => void;
  const ended = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const dispose = client.subscribe(payload, {
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
      if (queued) return Promise.resolve(queued as ExecutionResult<Record<string, unknown>, unknown>);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value as ExecutionResult<Record<string, unknown>, unknown>);
        });
      });
    },
    get buffered() {
      return results;
    },
    ended,
    dispose,
  };
}

/** Resolves with `promise`, or rejects after `ms`: "it never hangs" made testable. */
export function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
    }),
  ]);
}

let admin: Redis | undefined;

/** Waits until some connection of this process listens on the channel (PUBSUB NUMSUB), so a publish is not lost. */
export async function listening(channel: string): Promise<void> {
  admin ??= new Redis(redisUrl());
  const redis = admin;
  await expect
    .poll(async () => Number(((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]), { timeout: 10_000, interval: 20 })
    .toBeGreaterThan(0);
}

export function closeAdmin(): void {
  admin?.disconnect();
  admin = undefined;
}
