/**
 * In-app notifications through GraphQL: the User entity's notifications and
 * unread count (owner or admin only), marking read, the Redis publish when a
 * notification is created, and the notificationReceived subscription.
 */
import { randomUUID } from 'node:crypto';
import { redisUrl } from '@commerce/config';
import { errorCode, tokenFor } from '@commerce/testing';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userChannel } from '../src/data/live.js';
import { newOrder, newUser, orderPlaced, settled, startHarness, statusChanged, truncateAll, until, userRegistered, type Harness } from './support/harness.js';

let harness: Harness;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  harness = await startHarness();
  await truncateAll(harness.db);
});
afterAll(async () => {
  await harness?.stop();
});

const ENTITY = `query ($id: ID!, $first: Int, $after: String, $unreadOnly: Boolean) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User {
      id
      unreadNotificationCount
      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id type title body link orderId read readAt createdAt } }
      }
    }
  }
}`;

interface NotificationNode {
  id: string;
  type: string;
  title: string;
  read: boolean;
  readAt: string | null;
  orderId: string | null;
}
interface EntityData {
  _entities: {
    id: string;
    unreadNotificationCount: number;
    notifications: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: NotificationNode }[] };
  }[];
}

const inbox = (userId: string, token: string | undefined, variables: Record<string, unknown> = {}) =>
  harness.gql<EntityData>(ENTITY, { ...(token ? { token } : {}), variables: { id: userId, ...variables } });

/** Five notifications, one a minute apart, newest last; the oldest two read. */
async function seedInbox(userId: string): Promise<string[]> {
  const base = Date.now() - 10 * 60_000;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const row = await harness.db.notification.create({
      data: {
        userId,
        deliveryId: randomUUID(),
        type: 'ORDER_SHIPPED',
        title: `Notification ${i}`,
        body: 'Body',
        createdAt: new Date(base + i * 60_000),
        readAt: i < 2 ? new Date() : null,
      },
    });
    ids.push(row.id);
  }
  return ids;
}

describe('User.notifications', () => {
  it('lists newest first with keyset pagination, total and unread counts', async () => {
    const { token, userId } = await tokenFor();
    const ids = await seedInbox(userId);
    const first = await inbox(userId, token, { first: 2 });
    expect(first.errors).toBeUndefined();
    const user = first.data?._entities[0];
    expect(user?.unreadNotificationCount).toBe(3);
    expect(user?.notifications.totalCount).toBe(5);
    expect(user?.notifications.edges.map((edge) => edge.node.id)).toEqual([ids[4], ids[3]]);
    expect(user?.notifications.pageInfo.hasNextPage).toBe(true);

    const rest = await inbox(userId, token, { first: 10, after: user?.notifications.pageInfo.endCursor });
    expect(rest.data?._entities[0]?.notifications.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(rest.data?._entities[0]?.notifications.pageInfo.hasNextPage).toBe(false);
    expect(rest.data?._entities[0]?.notifications.edges.map((edge) => edge.node.read)).toEqual([false, true, true]);
  });

  it('filters to unread ones', async () => {
    const { token, userId } = await tokenFor();
    const ids = await seedInbox(userId);
    const unread = await inbox(userId, token, { unreadOnly: true });
    expect(unread.data?._entities[0]?.notifications.edges.map((edge) => edge.node.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(unread.data?._entities[0]?.notifications.totalCount).toBe(3);
  });

  it('refuses a garbage cursor', async () => {
    const { token, userId } = await tokenFor();
    const response = await inbox(userId, token, { after: 'not-a-cursor!' });
    expect(errorCode(response)).toBe('INVALID_CURSOR');
  });

  it('is for the user and admins only', async () => {
    const owner = await tokenFor();
    await seedInbox(owner.userId);
    const stranger = await tokenFor();
    const admin = await tokenFor({ roles: ['ADMIN'] });

    const anonymous = await inbox(owner.userId, undefined);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.errors?.every((error) => error.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    expect(anonymous.data?._entities).toEqual([null]);
    const forbidden = await inbox(owner.userId, stranger.token);
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.errors?.every((error) => error.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(forbidden.data?._entities).toEqual([null]);

    const asAdmin = await inbox(owner.userId, admin.token);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data?._entities[0]?.notifications.totalCount).toBe(5);
  });
});

describe('marking read', () => {
  const MARK = `mutation ($id: ID!) { markNotificationRead(input: { id: $id }) { id read readAt } }`;
  const MARK_ALL = `mutation { markAllNotificationsRead { updatedCount } }`;

  it('marks one of mine read, idempotently', async () => {
    const { token, userId } = await tokenFor();
    const ids = await seedInbox(userId);
    const first = await harness.gql<{ markNotificationRead: { id: string; read: boolean; readAt: string } }>(MARK, { token, variables: { id: ids[4] } });
    expect(first.errors).toBeUndefined();
    expect(first.data?.markNotificationRead).toMatchObject({ id: ids[4], read: true });
    const again = await harness.gql<{ markNotificationRead: { readAt: string } }>(MARK, { token, variables: { id: ids[4] } });
    expect(again.data?.markNotificationRead.readAt).toBe(first.data?.markNotificationRead.readAt);
    expect((await inbox(userId, token)).data?._entities[0]?.unreadNotificationCount).toBe(2);
  });

  it("treats someone else's notification and a malformed id as not found", async () => {
    const owner = await tokenFor();
    const ids = await seedInbox(owner.userId);
    const stranger = await tokenFor();
    const admin = await tokenFor({ roles: ['ADMIN'] });
    for (const token of [stranger.token, admin.token]) {
      expect(errorCode(await harness.gql(MARK, { token, variables: { id: ids[4] } }))).toBe('NOT_FOUND');
    }
    expect(errorCode(await harness.gql(MARK, { token: stranger.token, variables: { id: 'nope' } }))).toBe('NOT_FOUND');
    expect(await harness.db.notification.count({ where: { userId: owner.userId, readAt: null } })).toBe(3);
  });

  it('marks all of mine read, and nobody else’s', async () => {
    const me = await tokenFor();
    const other = await tokenFor();
    await seedInbox(me.userId);
    await seedInbox(other.userId);
    const response = await harness.gql<{ markAllNotificationsRead: { updatedCount: number } }>(MARK_ALL, { token: me.token });
    expect(response.data?.markAllNotificationsRead.updatedCount).toBe(3);
    expect((await inbox(me.userId, me.token)).data?._entities[0]?.unreadNotificationCount).toBe(0);
    expect((await inbox(other.userId, other.token)).data?._entities[0]?.unreadNotificationCount).toBe(3);
  });

  it('needs a signed-in caller', async () => {
    expect(errorCode(await harness.gql(MARK, { variables: { id: randomUUID() } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await harness.gql(MARK_ALL))).toBe('UNAUTHENTICATED');
  });
});

describe('live notifications', () => {
  it('publishes each new in-app notification on live:user:<userId>:notifications', async () => {
    const user = newUser();
    const listener = new Redis(redisUrl());
    const received: { channel: string; message: string }[] = [];
    listener.on('message', (channel: string, message: string) => received.push({ channel, message }));
    try {
      await listener.subscribe(userChannel(user.userId));
      const event = userRegistered(user);
      await harness.apply(event);
      await settled(harness.db, event.eventId);
      const [message] = await until(async () => (received.length > 0 ? received : undefined));
      expect(message?.channel).toBe(`live:user:${user.userId}:notifications`);
      const stored = await harness.db.notification.findFirstOrThrow({ where: { userId: user.userId } });
      expect(JSON.parse(message?.message ?? '{}')).toEqual({
        id: stored.id,
        userId: user.userId,
        type: 'WELCOME',
        title: 'Welcome to Commerce',
        body: 'Your account is ready. Happy shopping!',
        link: 'https://shop.example.test',
        orderId: null,
        readAt: null,
        createdAt: stored.createdAt.toISOString(),
      });
    } finally {
      listener.disconnect();
    }
  });

  describe('Subscription.notificationReceived (graphql-ws)', () => {
    // A real graphql-ws client against the running subgraph, as the router will connect.
    const SUBSCRIPTION = 'subscription { notificationReceived { id type title orderId read readAt createdAt } }';
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(redisUrl());
    });
    afterAll(() => {
      redis?.disconnect();
    });

    interface Stream {
      results: FormattedExecutionResult<{ notificationReceived: Record<string, unknown> }, unknown>[];
      errors: unknown[];
      completed: Promise<void>;
      dispose(): void;
    }

    function open(connectionParams?: Record<string, unknown>): { client: Client; stream: Stream } {
      const client = createClient({ url: harness.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
      const results: Stream['results'] = [];
      const errors: unknown[] = [];
      let complete!: () => void;
      const completed = new Promise<void>((resolve) => {
        complete = resolve;
      });
      const dispose = client.subscribe<{ notificationReceived: Record<string, unknown> }>(
        { query: SUBSCRIPTION },
        {
          next: (result) => results.push(result),
          error: (error) => {
            errors.push(error);
            complete();
          },
          complete,
        },
      );
      return { client, stream: { results, errors, completed, dispose } };
    }

    /** Resolves once Redis has a subscriber on the user's channel (the SUBSCRIBE happened). */
    const listening = (userId: string) =>
      until(async () => {
        const [, count] = (await redis.pubsub('NUMSUB', userChannel(userId))) as [string, number];
        return Number(count) > 0 ? true : undefined;
      });

    it("streams the signed-in user's new notifications, and only theirs", async () => {
      const me = newUser();
      const other = newUser();
      // Registered (and welcomed) before the subscription starts.
      for (const user of [me, other]) {
        const registered = userRegistered(user);
        await harness.apply(registered);
        await settled(harness.db, registered.eventId);
      }
      const { token } = await tokenFor({ userId: me.userId });
      const { client, stream } = open({ authorization: `Bearer ${token}` });
      try {
        await listening(me.userId);
        const order = newOrder(other.userId);
        await harness.apply(orderPlaced(order));
        const theirs = statusChanged(order, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
        await harness.apply(theirs);
        await settled(harness.db, theirs.eventId);
        const mine = newOrder(me.userId);
        await harness.apply(orderPlaced(mine));
        const confirmed = statusChanged(mine, 'PAYMENT_AUTHORIZED', 'CONFIRMED');
        await harness.apply(confirmed);
        await settled(harness.db, confirmed.eventId);

        const [first] = await until(async () => (stream.results.length > 0 ? stream.results : undefined));
        const stored = await harness.db.notification.findFirstOrThrow({ where: { userId: me.userId, type: 'ORDER_CONFIRMED' } });
        expect(first?.errors).toBeUndefined();
        expect(first?.data).toEqual({
          notificationReceived: {
            id: stored.id,
            type: 'ORDER_CONFIRMED',
            title: 'Thank you for your order',
            orderId: mine.orderId,
            read: false,
            readAt: null,
            createdAt: stored.createdAt.toISOString(),
          },
        });
        await pause(200);
        expect(stream.results).toHaveLength(1);
      } finally {
        stream.dispose();
        await client.dispose();
      }
      // The client left: the Redis subscription goes with it.
      await until(async () => {
        const [, count] = (await redis.pubsub('NUMSUB', userChannel(me.userId))) as [string, number];
        return Number(count) === 0 ? true : undefined;
      });
    });

    it('refuses an anonymous subscriber', async () => {
      const { client, stream } = open();
      try {
        await stream.completed;
        const errors = [...stream.errors, ...stream.results.flatMap((result) => result.errors ?? [])] as { extensions?: { code?: string } }[];
        expect(JSON.stringify(errors)).toContain('UNAUTHENTICATED');
      } finally {
        await client.dispose();
      }
    });
  });
});
