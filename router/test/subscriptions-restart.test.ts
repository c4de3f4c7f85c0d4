/**
 * What a subscriber sees when the subgraph owning its subscription goes away:
 * the router reconnects and re-subscribes (the subscription resumes) when the
 * subgraph is back within the retry budget, and otherwise ends it with
 * SERVICE_UNAVAILABLE. Either way within a bounded time: it never hangs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLiveSubscribers, createLivePublisher, type LivePublisher } from '@commerce/live';
import type { RunningSubgraph } from '@commerce/subgraph-kit';
import { createRouter, type RunningRouter } from '../src/router.ts';
import {
  bearer,
  closeAdmin,
  listening,
  silent,
  startReviews,
  startWidgets,
  subscribe,
  widgetChannel,
  widgetEvent,
  within,
  writeWidgetSupergraph,
  wsClient,
} from './subscription-fixtures.ts';

let reviews: RunningSubgraph;
let supergraph: { path: string; cleanup(): void };
let publisher: LivePublisher;
const cleanups: (() => unknown)[] = [];

// A short outage budget keeps the test quick (the default is 10 s); reconnects every 250–500 ms.
const upstream = { maxOutageMs: 3_000, retryMaxWaitMs: 500, connectTimeoutMs: 1_000, keepAliveMs: 1_000 };

const startRouter = (widgetsUrl: string): Promise<RunningRouter> =>
  createRouter({
    port: 0,
    host: '127.0.0.1',
    supergraphPath: supergraph.path,
    watch: false,
    subgraphUrls: { widgets: widgetsUrl, reviews: reviews.url },
    logger: silent,
    subscriptions: { upstream },
  });

beforeAll(async () => {
  reviews = await startReviews();
  supergraph = writeWidgetSupergraph();
  publisher = createLivePublisher();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await reviews?.stop();
  await publisher?.close();
  supergraph?.cleanup();
  closeLiveSubscribers();
  closeAdmin();
});

const QUERY = 'subscription ($id: ID!) { widgetUpdated(id: $id) { name reviewCount } }';

/** Publishes until the subscriber has received something (events published while nobody listens are lost). */
async function publishUntilReceived(id: string, name: string, received: { buffered: unknown[] }): Promise<void> {
  while (received.buffered.length === 0) {
    await publisher.publish(widgetChannel(id), widgetEvent(id, name));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('subgraph restarts', () => {
  it('resumes the subscription when the subgraph comes back, and ends it with SERVICE_UNAVAILABLE when it does not', async () => {
    let widgets = await startWidgets();
    const port = widgets.port;
    const router = await startRouter(widgets.url);
    cleanups.push(() => router.stop());
    const client = wsClient(router.url, { connectionParams: { authorization: await bearer('ada') } });
    cleanups.push(() => client.dispose());

    const id = 'ada-restart';
    const received = subscribe(client, { query: QUERY, variables: { id } });
    await listening(widgetChannel(id));
    await publisher.publish(widgetChannel(id), widgetEvent(id, 'Before'));
    expect(await received.next()).toEqual({ data: { widgetUpdated: { name: 'Before', reviewCount: id.length } } });

    // Restart on the same port: the router's connection drops, it reconnects and re-subscribes.
    await widgets.stop();
    widgets = await startWidgets(port);
    cleanups.push(() => widgets.stop());
    await within(10_000, publishUntilReceived(id, 'After', received));
    expect(received.buffered[0]).toEqual({ data: { widgetUpdated: { name: 'After', reviewCount: id.length } } });
    received.buffered.length = 0;

    // Gone for good: the subscriber is told, within the retry budget.
    const started = Date.now();
    await widgets.stop();
    const outcome = await within(10_000, received.ended);
    expect(outcome).toBe('complete');
    const last = received.buffered.at(-1) as { data: unknown; errors?: { extensions?: Record<string, unknown> }[] };
    expect(last.data).toBeNull();
    expect(last.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails a subscription on a subgraph that accepts connections but never answers, instead of hanging', async () => {
    // A frozen subgraph: TCP accepts, the WebSocket handshake never completes.
    const sockets: Socket[] = [];
    const frozen: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          frozen.close(() => resolve());
        }),
    );
    const router = await startRouter(`http://127.0.0.1:${(frozen.address() as AddressInfo).port}/graphql`);
    cleanups.push(() => router.stop());
    const client = wsClient(router.url, { connectionParams: { authorization: await bearer('ada') } });
    cleanups.push(() => client.dispose());

    const received = subscribe(client, { query: QUERY, variables: { id: 'ada-frozen' } });
    const started = Date.now();
    await expect(within(10_000, received.ended)).resolves.toBe('complete');
    expect(Date.now() - started).toBeLessThan(upstream.maxOutageMs + 2_000);
    const last = received.buffered.at(-1) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect(last.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
  });
});
