/**
 * Offsets: resolved offsets are committed to Kafka on an interval, not after
 * every batch (processed_events makes a redelivery of handled but uncommitted
 * events a no-op). This keeps the offset API of the latest batch, so an idle
 * consumer (empty fetches never reach eachBatch) and stop() can still commit
 * what was resolved.
 */
import type { EachBatchPayload } from 'kafkajs';
import { errorInfo } from '../logger.js';
import type { ConsumerScope } from './types.js';

export type OffsetApi = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

export class Offsets {
  #latest: OffsetApi | undefined;

  constructor(readonly scope: ConsumerScope) {}

  /** The offset API of the batch being processed. */
  remember(api: OffsetApi): void {
    this.#latest = api;
  }

  /** Commits if the commit interval has passed (an idle consumer's fetch loop calls this). */
  commitIfDue(): void {
    this.#latest?.commitOffsetsIfNecessary().catch((error: unknown) => {
      this.scope.logger.debug?.({ ...this.scope.log, err: errorInfo(error) }, 'offset commit failed; those events will be redelivered');
    });
  }

  /** Commits every resolved offset now (stop, rebalance, failure), not waiting for the interval. */
  async commitNow(api: OffsetApi | undefined = this.#latest): Promise<void> {
    if (!api) return;
    try {
      const pending = api.uncommittedOffsets();
      if (pending.topics.length > 0) await api.commitOffsetsIfNecessary(pending);
    } catch (error) {
      // Uncommitted offsets are redelivered, and redelivery is a no-op (processed_events).
      this.scope.logger.debug?.({ ...this.scope.log, err: errorInfo(error) }, 'offset commit failed; those events will be redelivered');
    }
  }
}
