/**
 * The `inventory-live` consumer group: turns this subgraph's own
 * `stock.level_changed` events into Redis messages for the admin's
 * `stockLevelChanged` subscription (data/live.ts). A separate group from
 * `inventory`, so the live feed never slows reservations, and it starts at
 * the end of the topic: history is not news. Redelivery (a handler retried)
 * publishes the variant's current stock again, which is harmless.
 */
import { startConsumer, type DomainEventDefinition, type EnvelopeForType, type EventConsumer, type EventContext, type EventLogger, type EventRegistry } from '@commerce/events';
import type { InventoryServiceContext } from '../context.js';
import { readLiveStockLevel, type StockLive } from '../data/live.js';
import type { InventoryTx } from '../data/prisma.js';

export const INVENTORY_LIVE_CONSUMER_GROUP = 'inventory-live';

export interface StockLiveHandlers {
  'stock.level_changed': (ctx: EventContext<InventoryTx>, envelope: EnvelopeForType<DomainEventDefinition, 'stock.level_changed'>) => Promise<void>;
}

export function stockLiveHandlers(ctx: Pick<InventoryServiceContext, 'logger'>, live: StockLive): StockLiveHandlers {
  return {
    'stock.level_changed': async ({ tx }, event) => {
      const level = await readLiveStockLevel(tx, event.payload.variantId);
      if (!level) return;
      try {
        await live.publish(level);
      } catch (error) {
        // At most once by design: a console that missed it re-reads the list.
        ctx.logger.warn({ err: error, variantId: level.variantId }, 'live stock level not published');
      }
    },
  };
}

export interface StockLiveConsumerOptions {
  group?: string;
  brokers?: string[];
  registry?: EventRegistry<DomainEventDefinition>;
  logger?: EventLogger;
  fromBeginning?: boolean;
}

export function startStockLiveConsumer(
  ctx: InventoryServiceContext,
  live: StockLive,
  options: StockLiveConsumerOptions = {},
): Promise<EventConsumer> {
  return startConsumer({
    group: options.group ?? INVENTORY_LIVE_CONSUMER_GROUP,
    prisma: ctx.prisma,
    handlers: stockLiveHandlers(ctx, live),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.brokers ? { brokers: options.brokers } : {}),
    fromBeginning: options.fromBeginning ?? false,
    logger: options.logger ?? ctx.logger,
  });
}
