/**
 * Live updates over Redis pub/sub.
 *
 * Subgraphs turn Kafka events into Redis messages on a per-entity channel, so
 * any instance of a subgraph (and therefore any router connected to it) can
 * serve any subscriber: whoever holds the subscriber's WebSocket listens on
 * the channel, wherever the event was consumed.
 *
 * Redis pub/sub is at-most-once: a message published while nobody listens
 * (or while the subscriber connection is reconnecting) is gone. Live channels
 * carry "something changed, here is the new state"; clients that need every
 * transition read the durable source after (re)subscribing.
 */
import { Redis } from 'ioredis';
import { redisUrl as configuredRedisUrl } from '@commerce/config';
import { createLogger, type Logger } from '@commerce/observability';

/** Channel names, one per thing a client can watch. Keep them here so publishers and subscribers agree. */
export const liveChannel = {
  cart: (cartId: string): string => `live:cart:${cartId}`,
  order: (orderId: string): string => `live:order:${orderId}`,
  userNotifications: (userId: string): string => `live:user:${userId}:notifications`,
} as const;

export interface LivePublisher {
  /** JSON-encodes `payload` and publishes it; resolves with the number of Redis connections that received it. */
  publish(channel: string, payload: unknown): Promise<number>;
  close(): Promise<void>;
}

/** One connection for publishing (a subscriber-mode connection cannot publish). */
export function createLivePublisher(redisUrl: string = configuredRedisUrl()): LivePublisher {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  // Failures surface as rejected publish() calls; without a listener ioredis prints every reconnect attempt.
  redis.on('error', () => {});
  return {
    publish: (channel, payload) => redis.publish(channel, JSON.stringify(payload)),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export interface SubscribeLiveOptions {
  /** Aborting ends the iterator, like calling `return()`. */
  signal?: AbortSignal;
  /** Defaults to REDIS_URL. Iterators on the same URL share one connection. */
  redisUrl?: string;
  /**
   * Messages buffered for a consumer that is slower than the publisher;
   * beyond it the oldest are dropped (live state: the newest matters). Default 1000.
   */
  bufferSize?: number;
}

/** An iterator over a channel's messages; `ready` resolves once Redis confirmed the SUBSCRIBE. */
export interface LiveIterator<T> extends AsyncIterableIterator<T> {
  readonly ready: Promise<void>;
}

interface Listener {
  message(message: string): void;
  /** The hub was closed under the iterator (closeLiveSubscribers): end it. */
  end(): void;
}

/**
 * The process's subscriber connection for one Redis URL: every channel any
 * iterator listens to is SUBSCRIBEd once, whatever the number of iterators,
 * and UNSUBSCRIBEd when the last one leaves. ioredis re-subscribes all
 * channels by itself after a reconnect.
 */
class SubscriberHub {
  private readonly redis: Redis;
  private readonly channels = new Map<string, Set<Listener>>();
  /** SUBSCRIBE confirmations per channel, so late joiners can await the same one. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    private readonly logger: Logger,
    private readonly onIdle: (hub: SubscriberHub) => void,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: false });
    this.redis.on('error', (error: Error) => this.logger.warn({ err: error }, 'live subscriber connection error; reconnecting'));
    this.redis.on('message', (channel: string, message: string) => {
      const listeners = this.channels.get(channel);
      if (!listeners) return;
      for (const listener of listeners) listener.message(message);
    });
  }

  add(channel: string, listener: Listener): Promise<void> {
    clearTimeout(this.idleTimer);
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
      // Commands on one connection run in order, so a SUBSCRIBE sent after an
      // UNSUBSCRIBE of the same channel leaves it subscribed, as the map says.
      const confirmed = this.redis.subscribe(channel).then(
        () => undefined,
        (error: unknown) => {
          this.logger.warn({ err: error, channel }, 'live SUBSCRIBE failed; will retry on reconnect');
        },
      );
      this.subscribed.set(channel, confirmed);
    }
    listeners.add(listener);
    return this.subscribed.get(channel) ?? Promise.resolve();
  }

  remove(channel: string, listener: Listener): void {
    const listeners = this.channels.get(channel);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    this.channels.delete(channel);
    this.subscribed.delete(channel);
    this.redis.unsubscribe(channel).catch((error: unknown) => this.logger.debug({ err: error, channel }, 'live UNSUBSCRIBE failed'));
    if (this.channels.size === 0) {
      // Linger a little: subscriptions come and go, reconnecting each time would cost more than an idle socket.
      // Unref'd so an idle hub never keeps a process alive.
      this.idleTimer = setTimeout(() => {
        if (this.channels.size === 0) this.onIdle(this);
      }, IDLE_CLOSE_MS);
      this.idleTimer.unref();
    }
  }

  get channelCount(): number {
    return this.channels.size;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    const listeners = [...this.channels.values()].flatMap((set) => [...set]);
    this.channels.clear();
    for (const listener of listeners) listener.end();
    this.subscribed.clear();
    this.redis.disconnect();
  }
}

const IDLE_CLOSE_MS = 5_000;
const hubs = new Map<string, SubscriberHub>();
let moduleLogger: Logger | undefined;

function hubFor(url: string): SubscriberHub {
  let hub = hubs.get(url);
  if (!hub) {
    moduleLogger ??= createLogger({ service: 'live' });
    hub = new SubscriberHub(url, moduleLogger, (idle) => {
      if (hubs.get(idle.url) === idle) hubs.delete(idle.url);
      idle.close();
    });
    hubs.set(url, hub);
  }
  return hub;
}

/**
 * Messages published on `channel` from now on, JSON-decoded, as an async
 * iterator. `return()` (a `for await` that exits, graphql-ws completing the
 * subscription) or the signal ends it at once, even while a `next()` waits,
 * and releases the channel. Messages that are not JSON are skipped.
 */
export function subscribeLive<T>(channel: string, options: SubscribeLiveOptions = {}): LiveIterator<T> {
  const bufferSize = options.bufferSize ?? 1000;
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let done = false;

  const hub = hubFor(options.redisUrl ?? configuredRedisUrl());
  const onMessage = (message: string): void => {
    let value: T;
    try {
      value = JSON.parse(message) as T;
    } catch {
      // A malformed message from some other publisher must not end everyone's subscription.
      return;
    }
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (queue.length >= bufferSize) queue.shift();
    queue.push(value);
  };

  const finish = (): IteratorResult<T> => {
    if (!done) {
      done = true;
      queue.length = 0;
      hub.remove(channel, listener);
      options.signal?.removeEventListener('abort', onAbort);
      const resolve = waiting;
      waiting = undefined;
      resolve?.({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  };
  const onAbort = (): void => {
    finish();
  };
  const listener: Listener = { message: onMessage, end: onAbort };

  const ready = options.signal?.aborted ? Promise.resolve() : hub.add(channel, listener);
  if (options.signal?.aborted) done = true;
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const iterator: LiveIterator<T> = {
    ready,
    next(): Promise<IteratorResult<T>> {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return(): Promise<IteratorResult<T>> {
      return Promise.resolve(finish());
    },
    throw(error?: unknown): Promise<IteratorResult<T>> {
      finish();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Channels this process currently listens to (all URLs); for tests and metrics. */
export function liveChannelCount(): number {
  let count = 0;
  for (const hub of hubs.values()) count += hub.channelCount;
  return count;
}

/** Drops the shared subscriber connections (process shutdown, tests). Live iterators stop receiving. */
export function closeLiveSubscribers(): void {
  for (const hub of hubs.values()) hub.close();
  hubs.clear();
}

/**
 * subscribeLive, resolved once Redis confirmed the SUBSCRIBE, so nothing
 * published after this returns is missed. If the SUBSCRIBE fails, the channel
 * is released and the error thrown.
 */
export async function subscribeLiveReady<T>(channel: string, options: SubscribeLiveOptions = {}): Promise<LiveIterator<T>> {
  const events = subscribeLive<T>(channel, options);
  try {
    await events.ready;
  } catch (error) {
    await events.return?.();
    throw error;
  }
  return events;
}
