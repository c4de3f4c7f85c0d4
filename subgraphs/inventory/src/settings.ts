import { readIntEnv } from '@commerce/config';
import { initialStockFromEnv, type InitialStockStrategy } from './service/initial-stock.js';

/** Policies the inventory services apply; fixed per process. */
export interface InventorySettings {
  /** How long an order's reservation holds stock before the sweeper releases it. */
  reservationTtlSeconds: number;
  /** Units a newly heard-of variant starts with. */
  initialStock: InitialStockStrategy;
}

export const DEFAULT_RESERVATION_TTL_SECONDS = 900;
export const DEFAULT_SWEEP_INTERVAL_MS = 5_000;

/** RESERVATION_TTL_SECONDS (default 900) and INVENTORY_INITIAL_STOCK (zero|demo, default zero). */
export function settingsFromEnv(): InventorySettings {
  const reservationTtlSeconds = readIntEnv('RESERVATION_TTL_SECONDS', DEFAULT_RESERVATION_TTL_SECONDS);
  if (reservationTtlSeconds < 1) throw new Error(`RESERVATION_TTL_SECONDS must be at least 1, got ${reservationTtlSeconds}`);
  return { reservationTtlSeconds, initialStock: initialStockFromEnv() };
}

/** RESERVATION_SWEEP_INTERVAL_MS (default 5000): how often expired reservations are released. */
export function sweepIntervalFromEnv(): number {
  const intervalMs = readIntEnv('RESERVATION_SWEEP_INTERVAL_MS', DEFAULT_SWEEP_INTERVAL_MS);
  if (intervalMs < 10) throw new Error(`RESERVATION_SWEEP_INTERVAL_MS must be at least 10, got ${intervalMs}`);
  return intervalMs;
}
