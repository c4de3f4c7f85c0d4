/**
 * One trace per checkout: an order placed through the router is one trace,
 * router → orders → outbox → Kafka → inventory and payments consumers → orders,
 * as an OTLP backend (Jaeger, Tempo, a collector) would receive it. Spans are
 * exported over OTLP/HTTP (JSON) to a receiver in this process, exactly as
 * `OTEL_EXPORTER_OTLP_ENDPOINT` sends them in production.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, graphql, tokenFor } from '@commerce/testing';
import { flushTelemetry, initTelemetry, shutdownTelemetry } from '@commerce/observability';
import type { Graph } from './support/graph.ts';

/** A span as OTLP/JSON carries it (ids in hex), with its resource's service name. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  service: string;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }[];
    }[];
  }[];
}

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

const attributes = (list: OtlpAttribute[] | undefined): Record<string, string | number | boolean> =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue ?? '')),
    ]),
  );

/** The OTLP/HTTP receiver: POST /v1/traces with a JSON ExportTraceServiceRequest. */
function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; requests: () => number }> {
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !req.headers['content-type']?.includes('json')) {
        res.writeHead(415).end();
        return;
      }
      requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)['service.name'] ?? '');
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: span.kind,
              scope: scopeSpans.scope?.name ?? '',
              service,
              attributes: attributes(span.attributes),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, requests: () => requests }),
    ),
  );
}

// Telemetry starts before the graph: the OTLP exporter, as production configures it.
const receiver = await startOtlpReceiver();
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
const telemetry = initTelemetry({ serviceName: 'e2e-graph' });
// The graph is loaded only now, as `--import register.ts` (or router/src/main.ts) loads
// a service after telemetry: tracers taken at module load must find the SDK registered.
const { startGraph } = await import('./support/graph.ts');
const { addToCart, adminToken, awaitStatus, createStockedProduct, SHIPPING_ADDRESS } = await import('./support/shop.ts');

let graph: Graph;
let url: string;
let variantId: string;

beforeAll(async () => {
  graph = await startGraph();
  url = graph.routerUrl;
  const admin = await adminToken(url);
  const product = await createStockedProduct(url, admin, [10]);
  variantId = product.variantIds[0] as string;
});

afterAll(async () => {
  await graph?.stop();
  await shutdownTelemetry();
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
});

const portOf = (value: string): number => Number(new URL(value).port);

describe('a checkout is one trace', () => {
  it('from the router through orders, the outbox, Kafka and the inventory and payments consumers back to orders', async () => {
    expect(telemetry.mode).toBe('otlp');
    const shopper = await tokenFor();
    const { cartId } = await addToCart(url, variantId, 1, { token: shopper.token });
    const placed = await graphql<{ placeOrder: { id: string } }>(
      url,
      'mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
      {
        token: shopper.token,
        variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey: crypto.randomUUID(), paymentMethodToken: 'pm_card_visa' } },
      },
    );
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data?.placeOrder.id as string;
    expect(await awaitStatus(url, shopper.token, orderId, ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('CONFIRMED');

    await flushTelemetry();
    const routerPort = portOf(url);
    const ordersPort = graph.subgraph('orders').port;

    // The router's request: a root SERVER span, gateway.request (PlaceOrder) under it.
    const gatewayRequest = receiver.spans.find((s) => s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'PlaceOrder');
    expect(gatewayRequest, 'the router traced PlaceOrder').toBeDefined();
    const traceId = gatewayRequest?.traceId as string;
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const byId = (spanId: string | undefined) => inTrace().find((s) => s.spanId === spanId);
    const routerRoot = byId(gatewayRequest?.parentSpanId);
    expect(routerRoot).toMatchObject({ kind: SPAN_KIND.SERVER, attributes: { 'server.port': routerPort, 'url.path': '/graphql' } });
    expect(routerRoot?.parentSpanId).toBeUndefined();

    // Router → orders: gateway.fetch(orders) → HTTP client → orders' HTTP server span, which runs placeOrder.
    const fetchOrders = inTrace().find((s) => s.name === 'gateway.fetch' && s.attributes.service === 'orders');
    expect(fetchOrders).toBeDefined();
    const toOrders = inTrace().find((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === fetchOrders?.spanId);
    expect(toOrders?.attributes['server.port']).toBe(ordersPort);
    const placeOrderSpan = inTrace().find((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === toOrders?.spanId);
    expect(placeOrderSpan?.attributes['server.port']).toBe(ordersPort);

    // The saga, over the outbox and Kafka: each consumer's span is a child of the span
    // that wrote the event's outbox row (its traceparent rides on the Kafka message).
    const consumed = (type: string, group: string) =>
      inTrace().filter((s) => s.kind === SPAN_KIND.CONSUMER && s.name === `${type} process` && s.attributes['messaging.kafka.consumer.group'] === group);
    const wanted = async (type: string, group: string) =>
      eventually(async () => {
        await flushTelemetry();
        const spans = consumed(type, group);
        return spans.length > 0 ? spans : undefined;
      }, 15_000, 100);

    const placedAtInventory = await wanted('order.placed', 'inventory');
    const placedAtPayments = await wanted('order.placed', 'payments');
    for (const span of [...placedAtInventory, ...placedAtPayments]) expect(span.parentSpanId).toBe(placeOrderSpan?.spanId);

    // inventory reserved → orders and payments hear of it, as children of inventory's span.
    const reservedAtOrders = await wanted('stock.reserved', 'orders');
    const reservedAtPayments = await wanted('stock.reserved', 'payments');
    const inventorySpans = new Set(placedAtInventory.map((s) => s.spanId));
    expect(reservedAtOrders.some((s) => inventorySpans.has(s.parentSpanId ?? ''))).toBe(true);
    expect(reservedAtPayments.some((s) => inventorySpans.has(s.parentSpanId ?? ''))).toBe(true);

    // payments authorized (over the Stripe API, traced too) → orders, a child of payments' span.
    const paymentsSpans = new Set(reservedAtPayments.map((s) => s.spanId));
    const stripeCall = inTrace().find((s) => s.kind === SPAN_KIND.CLIENT && paymentsSpans.has(s.parentSpanId ?? '') && String(s.attributes['url.full']).includes('/v1/payment_intents'));
    expect(stripeCall).toBeDefined();
    const authorizedAtOrders = await wanted('payment.authorized', 'orders');
    expect(authorizedAtOrders.some((s) => paymentsSpans.has(s.parentSpanId ?? ''))).toBe(true);

    // orders confirmed → inventory commits and payments captures, children of orders' span.
    const ordersSpans = new Set(authorizedAtOrders.map((s) => s.spanId));
    for (const group of ['inventory', 'payments']) {
      const confirmed = await wanted('order.confirmed', group);
      expect(confirmed.some((s) => ordersSpans.has(s.parentSpanId ?? ''))).toBe(true);
    }

    // One trace: no span of it points at a parent outside it (the root aside).
    await flushTelemetry();
    const ids = new Set(inTrace().map((s) => s.spanId));
    const dangling = inTrace().filter((s) => s !== routerRoot && !ids.has(s.parentSpanId ?? ''));
    expect(dangling.map((s) => s.name)).toEqual([]);
  });
});
