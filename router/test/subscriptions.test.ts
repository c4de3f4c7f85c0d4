/**
 * Federated subscriptions through the router: graphql-ws clients of the
 * router, fake subgraphs on the real subgraph kit, events published to Redis.
 */
import { randomUUID } from 'node:crypto';
import { redisUrl } from '@commerce/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLiveSubscribers, createLivePublisher, type LivePublisher } from '@commerce/live';
import type { RunningSubgraph } from '@commerce/subgraph-kit';
import { createRouter, type RouterOptions, type RunningRouter } from '../src/router.ts';
import { post } from './fixtures.ts';
import {
  bearer,
  closeAdmin,
  listening,
  reviewCallers,
  silent,
  startReviews,
  startWidgets,
  subscribe,
  widgetChannel,
  widgetEvent,
  within,
  writeWidgetSupergraph,
  wsClient,
  type FormattedError,
} from './subscription-fixtures.ts';

let widgets: RunningSubgraph;
let widgetsTwin: RunningSubgraph;
let reviews: RunningSubgraph;
let router: RunningRouter;
let twinRouter: RunningRouter;
let supergraph: { path: string; cleanup(): void };
let publisher: LivePublisher;
const cleanups: (() => unknown)[] = [];

const startRouter = (widgetsUrl: string, subscriptions: RouterOptions['subscriptions'] = {}, more: Omit<RouterOptions, 'subscriptions'> = {}) =>
  createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath: supergraph.path,
    watch: false,
    subgraphUrls: { widgets: widgetsUrl, reviews: reviews.url },
    production: false,
    logger: silent,
    subscriptions,
    ...more,
  });

beforeAll(async () => {
  [widgets, widgetsTwin, reviews] = await Promise.all([startWidgets(), startWidgets(), startReviews()]);
  supergraph = writeWidgetSupergraph();
  // Two routers, each with its own instance of the widgets subgraph: any instance serves any subscriber.
  [router, twinRouter] = await Promise.all([startRouter(widgets.url), startRouter(widgetsTwin.url)]);
  publisher = createLivePublisher();
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await Promise.all([router?.stop(), twinRouter?.stop()]);
  await Promise.all([widgets?.stop(), widgetsTwin?.stop(), reviews?.stop()]);
  await publisher?.close();
  supergraph?.cleanup();
  closeLiveSubscribers();
  closeAdmin();
});

/** A fresh widget id owned by `owner`, so every test has its own Redis channel. */
const widgetOf = (owner: 'ada' | 'grace'): string => `${owner}-${randomUUID().slice(0, 8)}`;

const client = (url: string, params?: Record<string, unknown>, options: Parameters<typeof wsClient>[1] = {}) => {
  const c = wsClient(url, { connectionParams: params, ...options });
  cleanups.push(() => c.dispose());
  return c;
};

const WIDGET_UPDATED = `subscription Watch($id: ID!) {
  widgetUpdated(id: $id) { id name reviewCount topReview }
}`;

describe('federated subscriptions', () => {
  it('delivers each event with the fields of other subgraphs resolved, in order', async () => {
    const id = widgetOf('ada');
    const received = subscribe(client(router.url, { authorization: await bearer('ada') }), { query: WIDGET_UPDATED, variables: { id } });
    await listening(widgetChannel(id));
    const callersBefore = reviewCallers.length;

    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Blue'));
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Red'));
    expect(await received.next()).toEqual({
      data: { widgetUpdated: { id, name: 'Blue', reviewCount: id.length, topReview: `Great ${id}` } },
    });
    expect(await received.next()).toEqual({
      data: { widgetUpdated: { id, name: 'Red', reviewCount: id.length, topReview: `Great ${id}` } },
    });
    // The entity fetches to the other subgraph carried the subscriber's token.
    expect(reviewCallers.slice(callersBefore)).toEqual(['ada', 'ada']);
    received.dispose();
  });

  it('shapes results like any query: aliases, __typename, fragments', async () => {
    const id = widgetOf('ada');
    const received = subscribe(client(router.url, { authorization: await bearer('ada') }), {
      query: `subscription { w: widgetUpdated(id: "${id}") { __typename label: name ...Reviews } }
              fragment Reviews on Widget { count: reviewCount }`,
    });
    await listening(widgetChannel(id));
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Green'));
    expect(await received.next()).toEqual({ data: { w: { __typename: 'Widget', label: 'Green', count: id.length } } });
    received.dispose();
  });

  it('serves subscribers of the same channel on two router instances', async () => {
    const id = widgetOf('ada');
    const token = await bearer('ada');
    const onFirst = subscribe(client(router.url, { authorization: token }), { query: WIDGET_UPDATED, variables: { id } });
    const onTwin = subscribe(client(twinRouter.url, { authorization: token }), { query: WIDGET_UPDATED, variables: { id } });
    // Both subgraph instances run in this process and share its one Redis subscriber: wait until both
    // subscriptions are in place by publishing until each router has delivered something.
    await listening(widgetChannel(id));
    const bothReceived = (async () => {
      for (let attempt = 0; attempt < 50 && (onFirst.buffered.length === 0 || onTwin.buffered.length === 0); attempt++) {
        await publisher.publish(widgetChannel(id), widgetEvent(id, 'Warm-up'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await bothReceived;
    onFirst.buffered.length = 0;
    onTwin.buffered.length = 0;
    expect(await publisher.publish(widgetChannel(id), widgetEvent(id, 'Everywhere'))).toBe(1);
    const expected = { data: { widgetUpdated: { id, name: 'Everywhere', reviewCount: id.length, topReview: `Great ${id}` } } };
    await expect.poll(() => onFirst.buffered.at(-1)).toEqual(expected);
    await expect.poll(() => onTwin.buffered.at(-1)).toEqual(expected);
    onFirst.dispose();
    onTwin.dispose();
  });

  it('multiplexes many subscribers (and users) over one connection per subgraph, and cleans up after them', async () => {
    const fresh = await startRouter(widgets.url);
    cleanups.push(() => fresh.stop());
    const ada = client(fresh.url, { authorization: await bearer('ada') });
    const grace = client(fresh.url, { authorization: await bearer('grace') });
    const adaId = widgetOf('ada');
    const graceId = widgetOf('grace');
    const subs = [
      subscribe(ada, { query: WIDGET_UPDATED, variables: { id: adaId } }),
      subscribe(ada, { query: 'subscription ($id: ID!) { widgetUpdated(id: $id) { name } }', variables: { id: adaId } }),
      subscribe(grace, { query: WIDGET_UPDATED, variables: { id: graceId } }),
    ];
    await listening(widgetChannel(adaId));
    await listening(widgetChannel(graceId));
    await expect.poll(() => fresh.subscriptionStats()).toEqual({ connections: 2, subscriptions: 3, subgraphConnections: 1 });

    await publisher.publish(widgetChannel(graceId), widgetEvent(graceId, 'For Grace'));
    expect(await subs[2]!.next()).toMatchObject({ data: { widgetUpdated: { name: 'For Grace' } } });
    expect(subs[0]!.buffered).toEqual([]);

    for (const sub of subs) sub.dispose();
    await expect.poll(() => fresh.subscriptionStats().subscriptions).toBe(0);
  });

  it('refuses a subscription the owning subgraph forbids, with its FORBIDDEN code, then completes', async () => {
    const received = subscribe(client(router.url, { authorization: await bearer('grace') }), {
      query: WIDGET_UPDATED,
      variables: { id: widgetOf('ada') },
    });
    const result = await received.next();
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ message: 'You are not allowed to do this.', extensions: { code: 'FORBIDDEN' } });
    await expect(within(5_000, received.ended)).resolves.toBe('complete');
  });

  it('passes UNAUTHENTICATED through for an anonymous subscriber of a protected field', async () => {
    const received = subscribe(client(router.url), { query: WIDGET_UPDATED, variables: { id: widgetOf('ada') } });
    expect((await received.next()).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(within(5_000, received.ended)).resolves.toBe('complete');
  });

  it('forwards the error a subgraph ends a stream with, then completes', async () => {
    const id = widgetOf('ada');
    const received = subscribe(client(router.url, { authorization: await bearer('ada') }), {
      query: `subscription { widgetRevoked(id: "${id}") { name reviewCount } }`,
    });
    await listening(widgetChannel(id));
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Last'));
    expect(await received.next()).toEqual({ data: { widgetRevoked: { name: 'Last', reviewCount: id.length } } });
    const last = await received.next();
    expect(last.data).toBeNull();
    expect(last.errors).toEqual([{ message: 'This widget is no longer yours.', extensions: { code: 'FORBIDDEN' } }]);
    await expect(within(5_000, received.ended)).resolves.toBe('complete');
  });

  it('closes a connection whose token is bad with 4403 before any subscription', async () => {
    const closes: { code: number; reason: string }[] = [];
    const c = client(router.url, { authorization: 'Bearer not-a-jwt' }, { on: { closed: (event) => closes.push(event as { code: number; reason: string }) } });
    const received = subscribe(c, { query: WIDGET_UPDATED, variables: { id: widgetOf('ada') } });
    await within(5_000, received.ended);
    expect(closes[0]).toMatchObject({ code: 4403, reason: 'Forbidden: UNAUTHENTICATED TOKEN_INVALID' });

    const expired = await bearer('ada', -30);
    const closesExpired: { code: number; reason: string }[] = [];
    const c2 = client(router.url, { authorization: expired }, { on: { closed: (event) => closesExpired.push(event as { code: number; reason: string }) } });
    await within(5_000, subscribe(c2, { query: WIDGET_UPDATED, variables: { id: widgetOf('ada') } }).ended);
    expect(closesExpired[0]).toMatchObject({ code: 4403, reason: 'Forbidden: UNAUTHENTICATED TOKEN_EXPIRED' });
  });

  it('ends subscriptions with UNAUTHENTICATED / TOKEN_EXPIRED when the token expires, and refuses new ones', async () => {
    // Keep the socket after the last subscription ends, to see the same connection refuse a new one.
    const c = client(router.url, { authorization: await bearer('ada', 2) }, { lazyCloseTimeout: 10_000 });
    const id = widgetOf('ada');
    const received = subscribe(c, { query: WIDGET_UPDATED, variables: { id } });
    await listening(widgetChannel(id));
    const last = await received.next(5_000);
    expect(last.errors?.[0]).toMatchObject({ message: 'The access token has expired.', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } });
    await expect(within(2_000, received.ended)).resolves.toBe('complete');

    const refused = subscribe(c, { query: WIDGET_UPDATED, variables: { id } });
    const errors = (await within(2_000, refused.ended)) as FormattedError[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('answers an unknown subscription field with a validation error', async () => {
    const received = subscribe(client(router.url), { query: 'subscription { gadgetExploded { id } }' });
    const errors = (await within(5_000, received.ended)) as FormattedError[];
    expect(errors[0]).toMatchObject({
      message: 'Cannot query field "gadgetExploded" on type "Subscription".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('refuses bad variables before subscribing, with BAD_USER_INPUT', async () => {
    const received = subscribe(client(router.url), { query: WIDGET_UPDATED, variables: {} });
    const errors = (await within(5_000, received.ended)) as FormattedError[];
    expect(errors[0]).toMatchObject({
      message: 'Variable "$id" of required type "ID!" was not provided.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('applies the HTTP complexity limits to subscriptions', async () => {
    const limited = await startRouter(widgets.url, {}, { limits: { maxAliases: 1 } });
    cleanups.push(() => limited.stop());
    const received = subscribe(client(limited.url), { query: 'subscription { a: widgetUpdated(id: "x") { b: name c: id } }' });
    const errors = (await within(5_000, received.ended)) as FormattedError[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('costs a subscription like an HTTP operation: over ROUTER_MAX_COST it is refused before it starts (QUERY_TOO_COMPLEX, limit cost); under it, each event reports its cost', async () => {
    const costed = await startRouter(widgets.url, {}, { protection: { safelist: false, rateLimit: false, cost: { maxCost: 10, report: true, defaultListSize: 10 } } });
    cleanups.push(() => costed.stop());
    const token = await bearer('ada');
    const id = widgetOf('ada');

    // widgetUpdated 1 + alsoLiked 50 × 1 = 51 > 10: an `error` message, and no subscription is made upstream.
    const heavy = subscribe(client(costed.url, { authorization: token }), {
      query: `subscription Heavy($id: ID!) { widgetUpdated(id: $id) { id alsoLiked(first: 50) { id } } }`,
      variables: { id },
    });
    const errors = (await within(5_000, heavy.ended)) as FormattedError[];
    expect(errors[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 51, max: 10 });
    expect(errors[0]?.message).toBe('Operation "Heavy" costs 51; the limit is 10.');
    expect(costed.subscriptionStats().subscriptions).toBe(0);
    // The same for a variable size, and the schema's default counts when none is given (1 + 3 = 4 passes).
    const bySize = subscribe(client(costed.url, { authorization: token }), {
      query: `subscription ($id: ID!, $n: Int!) { widgetUpdated(id: $id) { alsoLiked(first: $n) { id } } }`,
      variables: { id, n: 20 },
    });
    expect(((await within(5_000, bySize.ended)) as FormattedError[])[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', actual: 21 });

    // 1 + 2 × 1 = 3: accepted, and each event carries the requested and the actual cost.
    const light = subscribe(client(costed.url, { authorization: token }), {
      query: `subscription ($id: ID!) { widgetUpdated(id: $id) { id name alsoLiked(first: 2) { id } } }`,
      variables: { id },
    });
    await listening(widgetChannel(id));
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Teal'));
    expect(await light.next()).toEqual({
      data: { widgetUpdated: { id, name: 'Teal', alsoLiked: [{ id: `${id}-liked-0` }, { id: `${id}-liked-1` }] } },
      extensions: { cost: { requestedQueryCost: 3, actualQueryCost: 3 } },
    });
    light.dispose();

    // A query over the WebSocket goes through Apollo Server: the same maximum.
    const query = subscribe(client(costed.url, { authorization: token }), { query: `{ widget(id: "${id}") { alsoLiked(first: 50) { id } } }` });
    const queryResult = await within(5_000, query.next());
    expect(queryResult.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', actual: 51, max: 10 });
  });

  it('spends a subscription\'s cost from the user\'s budget when it starts: over it, RATE_LIMITED with retryAfter, and nothing is subscribed', async () => {
    const budgeted = await startRouter(widgets.url, {}, {
      protection: {
        safelist: false,
        cost: { maxCost: 10, report: false, defaultListSize: 10 },
        rateLimit: {
          redisUrl: redisUrl(),
          prefix: `router:rl:subscriptions-test:${randomUUID()}:`,
          identity: { capacity: 6, refillPerSecond: 1 },
          ip: { capacity: 1_000, refillPerSecond: 1_000 },
          timeoutMs: 1_000,
        },
      },
    });
    cleanups.push(() => budgeted.stop());
    const token = await bearer('ada');
    const id = widgetOf('ada');
    const sized = (first: number) => ({ query: `subscription ($id: ID!) { widgetUpdated(id: $id) { id alsoLiked(first: ${first}) { id } } }`, variables: { id } });

    // 6 in the bucket, 3 spent (1 + 2): the first starts.
    const first = subscribe(client(budgeted.url, { authorization: token }), sized(2));
    await listening(widgetChannel(id));

    // 3 left (plus a point a second), 6 asked (1 + 5): refused before anything is subscribed upstream, with the wait in seconds.
    const second = subscribe(client(budgeted.url, { authorization: token }), sized(5));
    const errors = (await within(5_000, second.ended)) as FormattedError[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = errors[0]?.extensions?.retryAfter;
    expect(Number.isInteger(retryAfter) && (retryAfter as number) >= 1 && (retryAfter as number) <= 3).toBe(true);
    expect(errors[0]?.message).toMatch(/^Too many requests: this operation costs 6 and the budget has [345] left/);
    expect(budgeted.subscriptionStats().subscriptions).toBe(1);

    // The one that paid runs as usual.
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Ochre'));
    expect((await first.next()).data).toEqual({ widgetUpdated: { id, alsoLiked: [{ id: `${id}-liked-0` }, { id: `${id}-liked-1` }] } });
    first.dispose();
  });

  it('limits connections per router and subscriptions per connection, with clear codes', async () => {
    const small = await startRouter(widgets.url, { maxConnections: 1, maxSubscriptionsPerConnection: 1 });
    cleanups.push(() => small.stop());
    const token = await bearer('ada');
    const first = client(small.url, { authorization: token });
    const id = widgetOf('ada');
    const active = subscribe(first, { query: WIDGET_UPDATED, variables: { id } });
    await listening(widgetChannel(id));

    const second = subscribe(first, { query: WIDGET_UPDATED, variables: { id } });
    const errors = (await within(5_000, second.ended)) as FormattedError[];
    expect(errors[0]).toMatchObject({
      message: 'At most 1 subscriptions per connection.',
      extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS', max: 1 },
    });

    const closes: { code: number; reason: string }[] = [];
    const extra = client(small.url, { authorization: token }, { on: { closed: (event) => closes.push(event as { code: number; reason: string }) } });
    await within(5_000, subscribe(extra, { query: WIDGET_UPDATED, variables: { id } }).ended);
    expect(closes[0]).toMatchObject({ code: 1013, reason: 'RATE_LIMITED: too many connections, try again later' });

    // The first subscription was not disturbed.
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Still here'));
    expect(await active.next()).toMatchObject({ data: { widgetUpdated: { name: 'Still here' } } });
    active.dispose();
  });

  it('runs queries sent over the WebSocket like HTTP ones, and HTTP keeps working', async () => {
    const c = client(router.url, { authorization: await bearer('ada') });
    const result = await subscribe(c, { query: '{ widget(id: "ada-1") { name reviewCount } }' }).next();
    expect(result).toEqual({ data: { widget: { name: 'Widget ada-1', reviewCount: 5 } } });
    const http = await post(router.url, { query: '{ widget(id: "ada-1") { name reviewCount } }' });
    expect(http.body).toEqual({ data: { widget: { name: 'Widget ada-1', reviewCount: 5 } } });
  });

  it('refuses upgrades on other paths', async () => {
    const closes: { code: number }[] = [];
    const c = client(router.url.replace('/graphql', '/elsewhere'), {}, { on: { closed: (event) => closes.push(event as { code: number }) } });
    const outcome = await within(5_000, subscribe(c, { query: WIDGET_UPDATED, variables: { id: 'x' } }).ended);
    expect(outcome).toBeDefined();
    expect(closes.every((event) => event.code !== 1000)).toBe(true);
  });
});
