import type { SqlGauge } from '@commerce/subgraph-kit';

/**
 * The checkout saga seen from the orders database, read on each scrape: how
 * many orders wait in each pre-payment step and how long the oldest has
 * waited. An order normally leaves PENDING and STOCK_RESERVED within
 * seconds; the `SagaStuck` alert (deploy/prometheus/alerts.yml) fires when the
 * oldest has waited too long. One query on the (status, id) index.
 */
export const ORDER_SAGA_GAUGES: readonly SqlGauge[] = [
  {
    name: 'orders_saga_in_flight',
    help: 'Orders waiting in a saga step (PENDING: for stock; STOCK_RESERVED: for payment).',
    labelNames: ['status'],
    sql: `SELECT s.status, count(o.id)::int AS value
      FROM unnest(ARRAY['PENDING', 'STOCK_RESERVED']) AS s(status)
      LEFT JOIN orders o ON o.status::text = s.status GROUP BY s.status`,
  },
  {
    name: 'orders_saga_oldest_age_seconds',
    help: 'Age since placement of the oldest order still in a saga step (0 when none).',
    labelNames: ['status'],
    sql: `SELECT s.status, COALESCE(EXTRACT(EPOCH FROM now() - min(o.placed_at)), 0)::float8 AS value
      FROM unnest(ARRAY['PENDING', 'STOCK_RESERVED']) AS s(status)
      LEFT JOIN orders o ON o.status::text = s.status GROUP BY s.status`,
  },
];
