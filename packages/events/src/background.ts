/**
 * A subgraph's Kafka workers (consumers, the outbox relay) start beside its
 * HTTP server, not before it: GraphQL reads do not need Kafka. A consumer's
 * start fails when the broker cannot be reached for kafkajs' connect retries
 * (some 15 s), as when a subgraph boots while Kafka is being restarted or
 * deployed. Giving up there would leave the process serving without ever
 * consuming (sagas stuck until someone restarts it), so the start is retried
 * with backoff until it succeeds or the subgraph stops.
 */
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { errorInfo, type EventLogger } from './logger.js';

export interface BackgroundWorker {
  stop(): Promise<void>;
}

export interface BackgroundStart<W extends BackgroundWorker> {
  /** The worker once it has started; undefined when stop() came first. */
  readonly started: Promise<W | undefined>;
  /** Ends the retries, or stops the worker if it started. Idempotent. */
  stop(): Promise<void>;
}

export interface BackgroundStartOptions {
  logger: EventLogger;
  /** Delays between attempts (default 1 s doubling to 30 s, with jitter). */
  backoff?: BackoffOptions;
}

/** Starts `start()` now and again after each failure, until it succeeds or stop() is called. */
export function startInBackground<W extends BackgroundWorker>(what: string, start: () => Promise<W>, options: BackgroundStartOptions): BackgroundStart<W> {
  const { logger } = options;
  const backoff: BackoffOptions = { initialMs: 1_000, maxMs: 30_000, ...options.backoff };
  const abort = new AbortController();
  const started = (async (): Promise<W | undefined> => {
    for (let attempt = 1; !abort.signal.aborted; attempt++) {
      try {
        const worker = await start();
        if (abort.signal.aborted) {
          // Stopped while starting: do not leave it running.
          await worker.stop();
          return undefined;
        }
        if (attempt > 1) logger.info({ component: 'background-start', worker: what, attempt }, `${what} started`);
        return worker;
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        const retryInMs = backoffDelay(attempt, backoff);
        logger.error({ component: 'background-start', worker: what, attempt, retryInMs, err: errorInfo(error) }, `${what} did not start; retrying`);
        await sleep(retryInMs, abort.signal);
      }
    }
    return undefined;
  })();
  let stopping: Promise<void> | undefined;
  return {
    started,
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await (await started)?.stop();
      })();
      return stopping;
    },
  };
}
