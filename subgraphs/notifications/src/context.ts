import type { BaseContext } from '@commerce/subgraph-kit';
import type { LiveNotifications } from './data/live.js';
import type { NotificationsLoaders } from './data/loaders.js';
import type { NotificationsPrisma } from './data/prisma.js';

/**
 * The request context every notifications resolver and service receives:
 * the kit's identity, request id and logger, plus the database, this
 * request's DataLoaders and the live (Redis pub/sub) notifications.
 */
export interface NotificationsContext extends BaseContext {
  prisma: NotificationsPrisma;
  loaders: NotificationsLoaders;
  live: LiveNotifications;
  /** Base of storefront links (no trailing slash), as the event handlers use it; template previews render with it. */
  storefrontUrl: string;
  /** Wakes the dispatcher (a resend goes out without waiting for the next poll); absent when it is off. */
  wakeDispatcher?: () => void;
}
