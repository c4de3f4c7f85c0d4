import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { kafkaBrokers, postgresServerUrl } from '@commerce/config';
import { kafkaGroupId, OUTBOX_TABLES_DDL } from '@commerce/events';
import { gauge, graphqlRequestMetrics, metricsRegistry, MAX_OPERATION_NAMES, scrapeSource, startMetricsServer, type MetricsServer } from '../src/index.js';
import { DEAD_LETTER_TOPICS, domainMetrics, observeAllPgPools } from '../src/collectors.js';

/** Value of the first sample of `name` whose labels include every pair of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics registry and endpoint', () => {
  let server: MetricsServer;
  beforeAll(async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.stop());

  it('serves the process metrics in the Prometheus text format, GET only, on /metrics only', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const name of ['nodejs_eventloop_lag_p99_seconds', '# TYPE nodejs_gc_duration_seconds histogram', 'nodejs_heap_size_used_bytes', 'process_resident_memory_bytes']) {
      expect(text, name).toContain(name);
    }
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    expect((await fetch(server.url.replace('/metrics', '/graphql'))).status).toBe(404);
  });

  it('labels requests by operation, and caps the distinct names a client can create', async () => {
    const metrics = graphqlRequestMetrics('capped');
    metrics.observe({ method: 'POST', status: 200, operationName: 'Known', operationType: 'query', errorType: undefined, seconds: 0.01 });
    for (let index = 0; index < MAX_OPERATION_NAMES + 5; index++) {
      metrics.observe({ method: 'POST', status: 200, operationName: `Op${index}`, operationType: 'query', errorType: 'BAD_USER_INPUT', seconds: 0.01 });
    }
    metrics.observe({ method: 'POST', status: 400, operationName: 'bad name!', operationType: undefined, errorType: 'GRAPHQL_PARSE_FAILED', seconds: 0.01 });
    const text = await metricsRegistry().metrics();
    const count = 'http_server_request_duration_seconds_count';
    expect(sample(text, count, { service: 'capped', graphql_operation_name: 'Known', error_type: '' })).toBe(1);
    expect(sample(text, count, { service: 'capped', graphql_operation_name: 'other', error_type: 'BAD_USER_INPUT' })).toBe(6);
    expect(sample(text, count, { service: 'capped', graphql_operation_name: 'other', error_type: 'GRAPHQL_PARSE_FAILED', http_response_status_code: '400' })).toBe(1);
  });

  it('gives up on a slow collector at its timeout and says so', async () => {
    const source = scrapeSource<number>({ name: 'never', timeoutMs: 50, load: () => new Promise<number>(() => undefined) });
    afterAll(() => source.close());
    gauge({
      name: 'test_never_value',
      help: 'never loads',
      async collect() {
        const value = await source.get();
        if (value !== undefined) this.set(value);
      },
    });
    const started = performance.now();
    const text = await metricsRegistry().metrics();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(sample(text, 'metrics_collector_up', { collector: 'never' })).toBe(0);
    expect(sample(text, 'metrics_collector_errors_total', { collector: 'never', reason: 'timeout' })).toBe(1);
  });
});

describe('subgraph collectors on the real PostgreSQL and Kafka', () => {
  const database = 'ecommerce_metrics_test';
  const databaseUrl = `${postgresServerUrl()}/${database}`;
  const kafka = new Kafka({ clientId: 'metrics-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `metrics-test-${randomUUID().slice(0, 8)}`;
  const group = `metrics-lag-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const root = new pg.Client({ connectionString: `${postgresServerUrl()}/postgres` });
    await root.connect();
    const exists = await root.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await root.query(`CREATE DATABASE ${database}`);
    await root.end();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(OUTBOX_TABLES_DDL);
    await client.query('TRUNCATE outbox_events');
    const insert = `INSERT INTO outbox_events (event_id, topic, event_type, aggregate_id, envelope, created_at, published_at)
      VALUES (gen_random_uuid(), 'commerce.order', 'order.placed', 'a', '{}', now() - make_interval(secs => $1), $2)`;
    await client.query(insert, [30, null]);
    await client.query(insert, [10, null]);
    await client.query(insert, [5, null]);
    await client.query(insert, [600, new Date()]);
    await client.end();

    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, index) => ({ value: `m${index}`, partition: 0 })) });
    await producer.send({ topic, messages: [{ value: 'p1', partition: 1 }] });
    await producer.disconnect();
    // The group has read two messages of partition 0 and nothing of partition 1.
    await admin.setOffsets({ groupId: kafkaGroupId(group), topic, partitions: [{ partition: 0, offset: '2' }] });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([kafkaGroupId(group)]).catch(() => undefined);
    await admin.disconnect();
  });

  it('keeps a pool made before the swap a pg.Pool', () => {
    const before = new pg.Pool({ connectionString: databaseUrl });
    observeAllPgPools();
    const after = new pg.Pool({ connectionString: databaseUrl });
    expect(before).toBeInstanceOf(pg.Pool);
    expect(after).toBeInstanceOf(pg.Pool);
    return Promise.all([before.end(), after.end()]);
  });

  it('reports the outbox backlog and its oldest row, every pool by database, consumer lag and the dead-letter topics', async () => {
    observeAllPgPools();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT 1')]);
    const metrics = domainMetrics({ domain: 'metricstest', databaseUrl, consumerGroups: [group] });
    try {
      const text = await metricsRegistry().metrics();
      expect(sample(text, 'outbox_backlog_events', { domain: 'metricstest' })).toBe(3);
      const age = sample(text, 'outbox_oldest_unpublished_age_seconds', { domain: 'metricstest' }) ?? 0;
      expect(age).toBeGreaterThanOrEqual(30);
      expect(age).toBeLessThan(120);

      const idle = sample(text, 'db_client_connection_count', { db_client_connection_pool_name: database, db_client_connection_state: 'idle' });
      expect(idle).toBe(2);
      expect(sample(text, 'db_client_connection_pending_requests', { db_client_connection_pool_name: database })).toBe(0);

      const lag = (partition: string) =>
        sample(text, 'messaging_kafka_consumer_lag', {
          messaging_consumer_group_name: kafkaGroupId(group),
          messaging_destination_name: topic,
          messaging_destination_partition_id: partition,
        });
      expect(lag('0'), text.split('\n').filter((l) => l.includes('lag') || l.includes('collector')).join('\n')).toBe(3);
      for (const dlq of DEAD_LETTER_TOPICS) expect(sample(text, 'messaging_dead_letter_messages', { messaging_destination_name: dlq }), dlq).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'metrics_collector_up', { collector: 'kafka' })).toBe(1);
      expect(sample(text, 'metrics_collector_up', { collector: 'outbox:metricstest' })).toBe(1);
    } finally {
      await metrics.close();
      await pool.end();
    }
    // Closed: its series are gone.
    const after = await metricsRegistry().metrics();
    expect(sample(after, 'outbox_backlog_events', { domain: 'metricstest' })).toBeUndefined();
  });
});
