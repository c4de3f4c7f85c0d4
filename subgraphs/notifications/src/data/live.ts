/**
 * Live in-app notifications over Redis pub/sub (@commerce/live). Every new
 * in-app notification is published on `live:user:<userId>:notifications`
 * (`liveChannel.userNotifications`, shared with every publisher), so
 * whichever instance holds a user's subscription (graphql-ws, through the
 * router) hears about notifications created by any instance.
 *
 * Pub/sub is at-most-once: a notification published while nobody listens is
 * only in the inbox (User.notifications), which clients read after
 * (re)subscribing.
 */
import { redisUrl as configuredRedisUrl } from '@commerce/config';
import { createLivePublisher, liveChannel, subscribeLiveReady, type LivePublisher } from '@commerce/live';
import type { Notification } from './prisma.js';

/** The channel of one user's live notifications. */
export const userChannel = (userId: string): string => liveChannel.userNotifications(userId);

/** A notification as published (JSON: dates as ISO strings, which DateTime serializes as is). */
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
   * The notifications published for one user from now on; resolves once Redis
   * has confirmed the subscription, so nothing published after that is
   * missed. `return()` ends the iterator at once, even while it waits.
   */
  subscribe(userId: string): Promise<AsyncIterableIterator<LiveNotification>>;
  /** Closes the publishing connection (subscriptions end with their WebSockets). */
  close(): Promise<void>;
}

export class RedisLiveNotifications implements LiveNotifications {
  readonly #redisUrl: string;
  #publisher: LivePublisher | undefined;

  constructor(redisUrl: string = configuredRedisUrl()) {
    this.#redisUrl = redisUrl;
  }

  async publish(notification: Notification): Promise<void> {
    this.#publisher ??= createLivePublisher(this.#redisUrl);
    await this.#publisher.publish(userChannel(notification.userId), toLiveNotification(notification));
  }

  subscribe(userId: string): Promise<AsyncIterableIterator<LiveNotification>> {
    return subscribeLiveReady<LiveNotification>(userChannel(userId), { redisUrl: this.#redisUrl, bufferSize: 100 });
  }

  async close(): Promise<void> {
    await this.#publisher?.close();
    this.#publisher = undefined;
  }
}
