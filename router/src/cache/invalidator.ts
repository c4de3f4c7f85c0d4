/**
 * Consumes the owning subgraphs' change events and drops the cached answers
 * they make stale (events.ts says which).
 *
 * Every router runs one, all in one consumer group: Kafka gives each
 * partition to one live member, and since the cache lives only in Redis, the
 * member that handles an event invalidates it for every router. Offsets are
 * committed only after Redis has applied a batch; a Redis failure is retried
 * (the partition waits), so no invalidation is lost, and events restarted
 * routers missed are read from the group's committed offsets.
 *
 * While a member is consuming it keeps the store's `alive` key set; when none
 * is (Kafka down, every invalidator stopped), readers stop using the cache,
 * since nothing would drop its entries.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createKafka } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { decodeEnvelope, invalidationFor, PRODUCT_IN_STOCK_TAG, type StockLevel } from './events.ts';
import type { ResponseStore } from './store.ts';

export interface InvalidatorOptions {
  store: ResponseStore;
  groupId: string;
  topics: readonly string[];
  brokers?: string[] | undefined;
  logger: Logger;
  /** After each applied batch (tests measure the invalidation bound with it). */
  onInvalidated?: ((applied: AppliedInvalidation) => void) | undefined;
}

export interface AppliedInvalidation {
  eventTypes: string[];
  tags: string[];
  /** Entries dropped. */
  dropped: number;
  at: number;
}

export interface Invalidator {
  stop(): Promise<void>;
}

/** How long `alive` outlives the last sign of a consuming member. */
const ALIVE_TTL_MS = 15_000;
const RETRY_MAX_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startInvalidator(options: InvalidatorOptions): Promise<Invalidator> {
  const { store, logger } = options;
  const kafka = createKafka({ clientId: 'router-response-cache', brokers: options.brokers, logger });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    // The outbox relays publish in transactions; only committed ones happened.
    readUncommitted: false,
    // A dead member's partitions move within 10 s (kafkajs default 30 s): that is the invalidation delay then.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 1_000,
  });
  let stopping = false;

  const keepAlive = (): void => {
    if (stopping) return;
    store.heartbeat(ALIVE_TTL_MS).catch(() => undefined);
  };
  // FETCH also comes while idle (every maxWaitTimeInMs), and only once offsets are resolved.
  consumer.on(consumer.events.FETCH, keepAlive);
  consumer.on(consumer.events.HEARTBEAT, keepAlive);
  consumer.on(consumer.events.CRASH, (event) => logger.error({ err: event.payload.error }, 'response cache invalidator crashed; kafkajs restarts it'));

  const applyBatch = async (payload: EachBatchPayload): Promise<void> => {
    const tags = new Set<string>();
    const stockLevels: StockLevel[] = [];
    const eventTypes: string[] = [];
    for (const message of payload.batch.messages) {
      const envelope = decodeEnvelope(message.value);
      const invalidation = envelope ? invalidationFor(envelope) : undefined;
      if (!envelope || !invalidation) continue;
      eventTypes.push(envelope.type);
      for (const tag of invalidation.tags) tags.add(tag);
      stockLevels.push(...invalidation.stockLevels);
    }
    if (tags.size > 0 || stockLevels.length > 0) {
      for (let attempt = 1; ; attempt++) {
        if (!payload.isRunning() || payload.isStale()) throw new Error('response cache invalidator stopping; batch left for redelivery');
        try {
          const { dropped } = await store.invalidate([...tags], stockLevels, PRODUCT_IN_STOCK_TAG);
          options.onInvalidated?.({ eventTypes, tags: [...tags], dropped, at: Date.now() });
          break;
        } catch (error) {
          if (attempt === 1 || attempt % 30 === 0) logger.warn({ err: error, attempt }, 'response cache invalidation failed; retrying');
          await sleep(Math.min(100 * attempt, RETRY_MAX_MS));
          await payload.heartbeat();
        }
      }
    }
    const last = payload.batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary();
    keepAlive();
  };

  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: false });
  await consumer.run({ eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch: applyBatch });
  logger.info({ groupId: options.groupId, topics: options.topics }, 'response cache invalidator started');

  return {
    async stop() {
      stopping = true;
      await consumer.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'response cache invalidator did not disconnect cleanly'));
    },
  };
}
