/**
 * Live in-app notifications over Redis pub/sub. Every new in-app notification
 * is published on `notifications:user:<userId>`, so whichever instance holds a
 * user's subscription (graphql-ws, through the router later) hears about
 * notifications created by any other instance.
 *
 * One subscriber connection per process serves every subscription: channels
 * are subscribed while at least one local subscriber wants them. ioredis
 * reconnects and resubscribes on its own.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@commerce/observability';
import type { Notification } from './prisma.js';

export const userChannel = (userId: string): string => `notifications:user:${userId}`;

/** A notification as published (JSON: dates as ISO strings). */
export interface LiveNotification {
  id: string;
  userId: string;
  type: Notification['type'];
  title: string;
  body: string;
  link: string | null;
  orderId: string | null;
  readAt: string | null;
  createdAt: string;
}

export const toLiveNotification = (n: Notification): LiveNotification => ({
  id: n.id,
  userId: n.userId,
  type: n.type,
  title: n.title,
  body: n.body,
  link: n.link,
  orderId: n.orderId,
  readAt: n.readAt?.toISOString() ?? null,
  createdAt: n.createdAt.toISOString(),
});

export interface LiveNotifications {
  publish(notification: Notification): Promise<void>;
  /**
   * The notifications published for one user from now on, as an async
   * iterator; resolves once Redis has confirmed the subscription, so nothing
   * published after it resolves is missed. `return()` ends it at once, even
   * while a `next()` is waiting.
   */
  subscribe<T = LiveNotification>(userId: string, map?: (notification: LiveNotification) => T): Promise<AsyncIterableIterator<T>>;
  close(): Promise<void>;
}

/** Events buffered per subscriber before the oldest are dropped (a subscriber that stopped reading). */
const MAX_BUFFERED = 100;

type Listener = (notification: LiveNotification) => void;

export class RedisLiveNotifications implements LiveNotifications {
  readonly #publisher: Redis;
  readonly #ownsPublisher: boolean;
  readonly #logger: Logger | undefined;
  #subscriber: Redis | undefined;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Per channel: Redis's confirmation of SUBSCRIBE, awaited by every local subscriber. */
  readonly #ready = new Map<string, Promise<unknown>>();
  readonly #closers = new Set<() => void>();

  /** `redis`: a URL (a client is created and owned) or a client (owned by the caller; a duplicate is used for subscribing). */
  constructor(redis: Redis | string, logger?: Logger) {
    this.#ownsPublisher = typeof redis === 'string';
    this.#publisher = typeof redis === 'string' ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 3 }) : redis;
    this.#logger = logger;
  }

  async publish(notification: Notification): Promise<void> {
    await this.#publisher.publish(userChannel(notification.userId), JSON.stringify(toLiveNotification(notification)));
  }

  #subscriberClient(): Redis {
    if (!this.#subscriber) {
      const subscriber = this.#publisher.duplicate({ lazyConnect: false });
      subscriber.on('message', (channel: string, message: string) => {
        const listeners = this.#listeners.get(channel);
        if (!listeners?.size) return;
        let parsed: LiveNotification;
        try {
          parsed = JSON.parse(message) as LiveNotification;
        } catch {
          this.#logger?.warn({ channel }, 'ignored a malformed live notification');
          return;
        }
        for (const listener of listeners) listener(parsed);
      });
      subscriber.on('error', (error: unknown) => this.#logger?.warn({ err: error }, 'live notifications subscriber error'));
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  async subscribe<T = LiveNotification>(userId: string, map?: (notification: LiveNotification) => T): Promise<AsyncIterableIterator<T>> {
    const channel = userChannel(userId);
    const queue: T[] = [];
    let waiting: ((result: IteratorResult<T>) => void) | undefined;
    let done = false;

    const listener: Listener = (notification) => {
      const value = map ? map(notification) : (notification as unknown as T);
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value, done: false });
        return;
      }
      queue.push(value);
      if (queue.length > MAX_BUFFERED) queue.shift();
    };

    const finish = async (): Promise<IteratorResult<T>> => {
      if (!done) {
        done = true;
        this.#closers.delete(close);
        queue.length = 0;
        waiting?.({ value: undefined, done: true });
        waiting = undefined;
        const listeners = this.#listeners.get(channel);
        listeners?.delete(listener);
        if (listeners && listeners.size === 0) {
          this.#listeners.delete(channel);
          this.#ready.delete(channel);
          await this.#subscriber?.unsubscribe(channel).catch(() => undefined);
        }
      }
      return { value: undefined, done: true };
    };
    const close = (): void => void finish();

    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      this.#ready.set(channel, this.#subscriberClient().subscribe(channel));
    }
    listeners.add(listener);
    this.#closers.add(close);
    try {
      await this.#ready.get(channel);
    } catch (error) {
      await finish();
      throw error;
    }

    const iterator: AsyncIterableIterator<T> = {
      next(): Promise<IteratorResult<T>> {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: finish,
      async throw(error: unknown) {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Number of users with at least one local subscriber (for tests and metrics). */
  get subscribedUsers(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    for (const close of [...this.#closers]) close();
    if (this.#subscriber) {
      this.#subscriber.disconnect();
      this.#subscriber = undefined;
    }
    if (this.#ownsPublisher) this.#publisher.disconnect();
  }
}
