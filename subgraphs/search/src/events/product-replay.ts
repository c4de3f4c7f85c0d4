/**
 * Replays the catalog's product topic from the beginning, for a full
 * reindex: a fresh consumer group (deleted afterwards) reads every partition
 * up to the end offsets taken at the start, committed transactions only, and
 * hands the product.created / product.updated snapshots to the sink in
 * batches. product.price_changed is skipped: the snapshot that follows each
 * price change carries the price.
 *
 * The replay is complete only when the topic still holds its whole history
 * (every partition starts at offset 0). Otherwise retention has dropped old
 * events, products not changed since are not in the replay, and
 * `completeAsOf` is null so the reindex does not prune them.
 */
import { randomUUID } from 'node:crypto';
import { createKafka, eventRegistry, TOPICS, type EventLogger, type ProductSnapshot } from '@commerce/events';
import type { SnapshotSink, SnapshotSource, SnapshotSourceResult } from '../reindex/sources.js';

export interface ProductReplayOptions {
  brokers?: string[];
  topic?: string;
  logger?: EventLogger;
  /** Fails the replay when no partition makes progress for this long (default 30 s). */
  idleTimeoutMs?: number;
}

const SNAPSHOT_TYPES = new Set(['product.created', 'product.updated']);

export function productReplaySource(options: ProductReplayOptions = {}): SnapshotSource {
  const topic = options.topic ?? TOPICS.product;
  return {
    name: `events:${topic}`,
    run: (sink, batchSize) => replay(topic, sink, batchSize, options),
  };
}

async function replay(topic: string, sink: SnapshotSink, batchSize: number, options: ProductReplayOptions): Promise<SnapshotSourceResult> {
  const logger = options.logger;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const kafka = createKafka({ clientId: 'search-reindex', brokers: options.brokers, logger });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `search-reindex-${randomUUID()}`;
  try {
    const startedAt = new Date();
    const offsets = await admin.fetchTopicOffsets(topic);
    const fullHistory = offsets.every((p) => BigInt(p.low) === 0n);
    // Partition → last offset to reach (high watermark at start, minus one).
    const pending = new Map<number, bigint>();
    for (const p of offsets) if (BigInt(p.high) > BigInt(p.low)) pending.set(p.partition, BigInt(p.high) - 1n);

    let snapshots = 0;
    let skipped = 0;
    if (pending.size > 0) {
      const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
      let buffer: ProductSnapshot[] = [];
      const flush = async (): Promise<void> => {
        if (buffer.length === 0) return;
        const batch = buffer;
        buffer = [];
        await sink(batch);
      };
      let finish!: (error?: unknown) => void;
      const finished = new Promise<void>((resolve, reject) => {
        finish = (error?: unknown) => (error === undefined ? resolve() : reject(error));
      });
      let lastProgress = Date.now();
      let failed = false;
      // Fired for every fetched batch, including those holding only
      // transaction markers (which never reach eachBatch): the way to know a
      // partition is read to its end.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        lastProgress = Date.now();
        const target = pending.get(payload.partition);
        if (target !== undefined && BigInt(payload.lastOffset) >= target) pending.delete(payload.partition);
        if (pending.size === 0 && !failed) finish();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) finish(payload.error);
      });
      const idle = setInterval(() => {
        if (Date.now() - lastProgress > idleTimeoutMs) finish(new Error(`replay of ${topic} made no progress for ${idleTimeoutMs} ms`));
      }, 1_000);
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachBatch: async ({ batch, heartbeat }) => {
            if (failed) return;
            try {
              for (const message of batch.messages) {
                const parsed = parseSnapshot(message.value);
                if (parsed === 'skip') skipped++;
                else if (parsed) {
                  buffer.push(parsed);
                  snapshots++;
                }
                if (buffer.length >= batchSize) {
                  await flush();
                  await heartbeat();
                }
              }
              // Index what this batch held before it counts as read (END_BATCH_PROCESS follows).
              await flush();
            } catch (error) {
              // Not rethrown: kafkajs would restart and replay the batch; the reindex fails instead.
              failed = true;
              finish(error);
            }
          },
        });
        await finished;
        await flush();
      } finally {
        clearInterval(idle);
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch((error: unknown) => logger?.warn({ err: error, groupId }, 'could not delete the replay consumer group'));
      }
    }
    return { snapshots, skipped, completeAsOf: fullHistory ? startedAt : null };
  } finally {
    await admin.disconnect();
  }
}

/** A snapshot, null for another product event (price_changed), 'skip' for something invalid. */
function parseSnapshot(value: Buffer | null): ProductSnapshot | null | 'skip' {
  let decoded: unknown;
  try {
    decoded = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return 'skip';
  }
  const parsed = eventRegistry.parseEnvelope(decoded);
  if (!parsed.ok) return 'skip';
  const { envelope } = parsed;
  if (!SNAPSHOT_TYPES.has(envelope.type)) return null;
  return envelope.payload as ProductSnapshot;
}
