/**
 * A real Prometheus (Debian's package, installed by the set-up when missing)
 * scrapes the running graph: the router's metrics port and a subgraph's
 * /metrics. After a few checkouts through the router, Prometheus's HTTP API
 * answers a non-zero checkout rate, the consumer lag of the saga's groups, the
 * orders saga gauges and the outbox readings. Bounded: about 30 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrometheus, freePort } from '@commerce/infra';
import { eventually, graphql, tokenFor } from '@commerce/testing';
import { kafkaGroupId } from '@commerce/events';
import { startGraph, type Graph } from './support/graph.ts';
import { addToCart, adminToken, awaitStatus, createStockedProduct, SHIPPING_ADDRESS } from './support/shop.ts';

const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
const CHECKOUTS = 3;

let graph: Graph;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let dataDir: string;

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<VectorSample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { resultType: string; result: VectorSample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? response.status}`);
  return body.data.result;
}

function hostPort(url: string): string {
  return new URL(url).host;
}

beforeAll(async () => {
  const [{ prometheus: binary }, started] = await Promise.all([ensurePrometheus(), startGraph({ router: { metricsPort: 0 } })]);
  graph = started;
  const routerMetrics = graph.router.metricsUrl;
  if (!routerMetrics) throw new Error('the router serves no metrics');
  dataDir = mkdtempSync(join(tmpdir(), 'commerce-prometheus-'));
  // Every subgraph and the router share this process's registry: orders' /metrics stands for the
  // subgraphs, and the queries below pick a job, as each would in production.
  const config = `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: router
    static_configs: [{ targets: ['${hostPort(routerMetrics)}'] }]
  - job_name: subgraphs
    static_configs: [{ targets: ['${hostPort(graph.subgraph('orders').url)}'] }]
`;
  writeFileSync(join(dataDir, 'prometheus.yml'), config);
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    binary,
    [`--config.file=${join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await eventually(async () => ((await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 20_000);
}, 180_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await graph?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Prometheus scraping the running graph', () => {
  it('sees checkouts through the router, the saga consumers’ lag, the saga and the outbox', async () => {
    const url = graph.routerUrl;
    const admin = await adminToken(url);
    const product = await createStockedProduct(url, admin, [50]);
    const [variant] = product.variantIds as [string];
    const checkout = async (): Promise<void> => {
      const { token } = await tokenFor();
      const { cartId } = await addToCart(url, variant, 1, { token });
      const placed = await graphql<{ placeOrder: { id: string } }>(url, PLACE_ORDER, {
        token,
        variables: { input: { cartId, shippingAddress: SHIPPING_ADDRESS, idempotencyKey: randomUUID(), paymentMethodToken: 'pm_card_visa' } },
      });
      expect(placed.errors).toBeUndefined();
      expect(await awaitStatus(url, token, placed.data?.placeOrder.id ?? '', ['CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED'])).toBe('CONFIRMED');
    };
    const placeOrders = 'http_server_request_duration_seconds_count{job="router",service="router",graphql_operation_type="mutation",graphql_operation_name="PlaceOrder",error_type=""}';
    // The first checkout creates the series; once Prometheus has a sample of it, the next ones make a rate.
    await checkout();
    await eventually(async () => ((await query(placeOrders)).length > 0 ? true : undefined), 10_000);
    for (let index = 1; index < CHECKOUTS; index++) await checkout();

    // Both targets are up.
    const up = await eventually(async () => {
      const result = await query('up');
      return result.length === 2 && result.every((s) => s.value[1] === '1') ? result : undefined;
    }, 10_000);
    expect(up.map((s) => s.metric.job).sort()).toEqual(['router', 'subgraphs']);

    // A non-zero checkout rate, as the checkout dashboard reads it.
    const checkoutRate = await eventually(async () => {
      const [sample] = await query(`sum(rate(${placeOrders}[1m]))`);
      return sample && Number(sample.value[1]) > 0 ? Number(sample.value[1]) : undefined;
    }, 10_000).catch(async (error: unknown) => {
      const seen = await query('http_server_request_duration_seconds_count{service="router"}');
      throw new Error(`${String(error)}; the router's request series: ${JSON.stringify(seen.map((s) => [s.metric, s.value[1]]))}`);
    });
    expect(checkoutRate).toBeGreaterThan(0);

    // Consumer lag per group and partition for the saga's consumers (0 once they caught up).
    const lag = await eventually(async () => {
      const result = await query('messaging_kafka_consumer_lag{job="subgraphs"}');
      const groups = new Set(result.map((s) => s.metric.messaging_consumer_group_name));
      return ['orders', 'inventory', 'payments'].every((group) => groups.has(kafkaGroupId(group))) ? result : undefined;
    }, 15_000);
    for (const sample of lag) {
      expect(sample.metric.messaging_destination_name).toMatch(/^commerce\./);
      expect(sample.metric.messaging_destination_partition_id).toMatch(/^\d+$/);
      expect(Number(sample.value[1])).toBeGreaterThanOrEqual(0);
    }

    // Subgraph fetches per subgraph, the saga gauges, the outbox and the dead-letter topics are there too.
    const fetches = await query('sum by (subgraph_name) (http_client_request_duration_seconds_count{job="router"})');
    expect(fetches.map((s) => s.metric.subgraph_name)).toEqual(expect.arrayContaining(['orders', 'cart', 'inventory']));
    const saga = await query('orders_saga_in_flight{job="subgraphs"}');
    expect(saga.map((s) => s.metric.status).sort()).toEqual(['PENDING', 'STOCK_RESERVED']);
    // Saga step durations: the checkouts above reached each step (the last scrape may predate the last confirmation).
    const steps = await eventually(async () => {
      const found = await query('orders_saga_step_duration_seconds_count{job="subgraphs"}');
      return found.some((s) => s.metric.status === 'CONFIRMED') ? found : undefined;
    }, 10_000);
    expect(steps.map((s) => s.metric.status)).toEqual(expect.arrayContaining(['STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED']));
    expect(Number(steps.find((s) => s.metric.status === 'CONFIRMED')?.value[1])).toBeGreaterThan(0);
    const outbox = await query('outbox_oldest_unpublished_age_seconds{job="subgraphs",domain="orders"}');
    expect(outbox).toHaveLength(1);
    expect((await query('messaging_dead_letter_messages')).length).toBeGreaterThan(0);
    expect((await query('router_query_plan_cache_total{job="router",result="miss"} > 0')).length).toBe(1);
  });
});
