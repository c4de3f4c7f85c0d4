/**
 * The notifications consumer: user and order events, routed to the handlers
 * (events/handlers.ts). startConsumer runs each handler in one transaction
 * with the processed_events row, so a redelivered event is a no-op.
 */
import { kafkaBrokers } from '@commerce/config';
import { startConsumer, type EventConsumer } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { NotificationsPrisma } from '../data/prisma.js';
import type { NotificationHandlers } from './handlers.js';

export const NOTIFICATIONS_CONSUMER_GROUP = 'notifications';

export interface NotificationsConsumerOptions {
  prisma: NotificationsPrisma;
  handlers: NotificationHandlers;
  logger: Logger;
  /** Consumer group (and processed_events consumer); default 'notifications'. Tests use their own. */
  group?: string;
  brokers?: string[];
  /** A new group starts at the oldest retained message (default true): the read models need history. */
  fromBeginning?: boolean;
}

export function startNotificationsConsumer(options: NotificationsConsumerOptions): Promise<EventConsumer> {
  const { handlers } = options;
  return startConsumer({
    group: options.group ?? NOTIFICATIONS_CONSUMER_GROUP,
    brokers: options.brokers ?? kafkaBrokers(),
    prisma: options.prisma,
    logger: options.logger,
    fromBeginning: options.fromBeginning ?? true,
    transactionOptions: { maxWait: 10_000, timeout: 10_000 },
    // 8 attempts back off for about 11 s in all: room for a confirmation to
    // wait for its order.placed, which travels on another topic (handlers.ts).
    maxAttempts: 8,
    handlers: {
      'user.registered': (ctx, event) => handlers['user.registered'](ctx, event),
      'user.password_reset_requested': (ctx, event) => handlers['user.password_reset_requested'](ctx, event),
      'user.email_change_requested': (ctx, event) => handlers['user.email_change_requested'](ctx, event),
      'user.email_changed': (ctx, event) => handlers['user.email_changed'](ctx, event),
      'user.deleted': (ctx, event) => handlers['user.deleted'](ctx, event),
      'order.placed': (ctx, event) => handlers['order.placed'](ctx, event),
      'order.status_changed': (ctx, event) => handlers['order.status_changed'](ctx, event),
      'order.cancelled': (ctx, event) => handlers['order.cancelled'](ctx, event),
      'order.refunded': (ctx, event) => handlers['order.refunded'](ctx, event),
    },
  });
}
