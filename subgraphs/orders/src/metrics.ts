import { histogram, type SqlGauge } from '@commerce/subgraph-kit';

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

/** The statuses the checkout saga moves an order to (the admin's later steps are not the saga's). */
const SAGA_STEPS: ReadonlySet<string> = new Set(['STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED']);

/**
 * Saga step durations: seconds from placement to each status the saga reaches
 * (`status`), observed as orders writes the transition. A transaction that
 * then rolls back has been counted; that is a version conflict, and rare.
 */
export function observeSagaStep(to: string, placedAt: Date, at: Date): void {
  if (!SAGA_STEPS.has(to)) return;
  histogram({
    name: 'orders_saga_step_duration_seconds',
    help: 'Seconds from placement to each status the checkout saga reaches.',
    labelNames: ['status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  }).observe({ status: to }, Math.max(0, (at.getTime() - placedAt.getTime()) / 1000));
}
