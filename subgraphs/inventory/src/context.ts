import type { TraceCarrier } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { BaseContext } from '@commerce/subgraph-kit';
import type { StockLive } from './data/live.js';
import type { InventoryLoaders } from './data/loaders.js';
import type { InventoryPrisma } from './data/prisma.js';
import type { InventorySettings } from './settings.js';

/**
 * Test seams: called inside the transaction at the named point. A hook that
 * throws makes the transaction roll back, which is how the tests simulate a
 * crash after the side effect but before the commit. Production sets none.
 */
export interface InventoryHooks {
  /** After an order's stock is held and its events appended, before commit. */
  afterReserve?(orderId: string): void | Promise<void>;
}

/**
 * What every inventory service receives first, whether the work comes from
 * a GraphQL request or from an event: the database, a logger, the trace
 * context to stamp on the events it publishes, the settings, and the hooks.
 * Identity and transactions are never ambient.
 */
export interface InventoryServiceContext {
  prisma: InventoryPrisma;
  logger: Logger;
  traceContext: TraceCarrier;
  settings: InventorySettings;
  hooks: InventoryHooks;
}

/** The request context: the kit's identity, request id and logger, plus this request's DataLoaders and the live stock feed. */
export interface InventoryContext extends BaseContext, InventoryServiceContext {
  loaders: InventoryLoaders;
  live: StockLive;
}
