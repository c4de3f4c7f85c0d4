/**
 * InitialStockStrategy: how many units a variant starts with in each
 * warehouse when inventory first hears of it (product.created, or a variant
 * added by product.updated). A named policy, chosen by configuration:
 *
 * - `zero` (default; production and tests): no units until someone counts
 *   them in with adjustStock. Stock rows exist, so every warehouse shows 0.
 * - `demo` (`npm start`, INVENTORY_INITIAL_STOCK=demo): deterministic
 *   quantities from 20 to 200 per warehouse, derived from a hash of the
 *   variant and warehouse ids, so a demo shop has stock to sell and the same
 *   catalog always gets the same numbers.
 */
import { createHash } from 'node:crypto';
import { readEnv } from '@commerce/config';

export type InitialStockStrategyName = 'zero' | 'demo';

export interface InitialStockStrategy {
  readonly name: InitialStockStrategyName;
  /** Units on hand for a new variant in one warehouse. */
  onHandFor(variantId: string, warehouseId: string): number;
}

export const zeroInitialStock: InitialStockStrategy = {
  name: 'zero',
  onHandFor: () => 0,
};

export const DEMO_MIN_UNITS = 20;
export const DEMO_MAX_UNITS = 200;

export const demoInitialStock: InitialStockStrategy = {
  name: 'demo',
  onHandFor(variantId, warehouseId) {
    const digest = createHash('sha256').update(`${variantId}:${warehouseId}`).digest();
    return DEMO_MIN_UNITS + (digest.readUInt32BE(0) % (DEMO_MAX_UNITS - DEMO_MIN_UNITS + 1));
  },
};

const STRATEGIES: Readonly<Record<InitialStockStrategyName, InitialStockStrategy>> = {
  zero: zeroInitialStock,
  demo: demoInitialStock,
};

export function initialStockStrategy(name: InitialStockStrategyName): InitialStockStrategy {
  return STRATEGIES[name];
}

/** INVENTORY_INITIAL_STOCK=zero|demo (default zero); anything else is a configuration error. */
export function initialStockFromEnv(): InitialStockStrategy {
  const name = readEnv('INVENTORY_INITIAL_STOCK', 'zero');
  if (name !== 'zero' && name !== 'demo') {
    throw new Error(`INVENTORY_INITIAL_STOCK must be "zero" or "demo", got "${name}"`);
  }
  return STRATEGIES[name];
}
