/**
 * What notifications does with each event it consumes. Every handler runs
 * inside the consumer's transaction (together with the processed_events row),
 * so the read-model updates and the delivery rows commit once or not at all.
 * Nothing here talks to SMTP, Redis or any provider: the dispatcher sends.
 *
 *   user.registered                  → contact; WELCOME
 *   user.password_reset_requested    → contact; PASSWORD_RESET (email, always)
 *   user.email_change_requested, user.email_changed, user.deleted → account-handlers.ts
 *   order.placed                     → order snapshot (lines, totals) for later emails
 *   order.status_changed → CONFIRMED → ORDER_CONFIRMED (waits for order.placed, another topic);
 *                          SHIPPED / DELIVERED likewise; REFUNDED sends nothing (order.refunded does)
 *   order.cancelled, to PAYMENT_FAILED → PAYMENT_FAILED
 *   order.refunded                   → ORDER_REFUNDED for every refund, partial or full, once per
 *                                      refund request (its id keys the deliveries)
 *
 * Events older than `maxEventAgeMs` update the read models but notify nobody
 * (a new consumer group replays the topics from the beginning).
 */
import type { DomainEventDefinition, EnvelopeForType, EventContext, EventEnvelope } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { NotificationsTx } from '../data/prisma.js';
import { scheduleNotification } from '../service/delivery.service.js';
import { contactOf, orderRefsOf, orderSummaryOf, recordContact, recordOrder } from '../service/read-models.service.js';
import { renderNotification, type RefundIssuedData } from '../templates/index.js';
import { createAccountHandlers, type AccountHandlers } from './account-handlers.js';

export interface HandlerSettings {
  storefrontUrl: string;
  maxEventAgeMs: number;
  logger: Logger;
  /** The clock; tests move it. */
  now?: () => Date;
}

type Envelope<T extends DomainEventDefinition['type']> = EnvelopeForType<DomainEventDefinition, T>;
type Handler<T extends DomainEventDefinition['type']> = (ctx: EventContext<NotificationsTx>, event: Envelope<T>) => Promise<void>;

export interface NotificationHandlers extends AccountHandlers {
  'user.registered': Handler<'user.registered'>;
  'user.password_reset_requested': Handler<'user.password_reset_requested'>;
  'order.placed': Handler<'order.placed'>;
  'order.status_changed': Handler<'order.status_changed'>;
  'order.cancelled': Handler<'order.cancelled'>;
  'order.refunded': Handler<'order.refunded'>;
}

/**
 * Order statuses that notify, and how. PAYMENT_FAILED comes from order.cancelled, which carries
 * the reason; REFUNDED from order.refunded, which carries the amount (one email per refund, the
 * one that completes a full refund included, so REFUNDED itself would be a second email).
 */
type StatusNotificationType = 'ORDER_CONFIRMED' | 'ORDER_SHIPPED' | 'ORDER_DELIVERED';
const TYPE_BY_STATUS: Partial<Record<string, StatusNotificationType>> = {
  CONFIRMED: 'ORDER_CONFIRMED',
  SHIPPED: 'ORDER_SHIPPED',
  DELIVERED: 'ORDER_DELIVERED',
};

/** What an order notification says beyond the order itself. */
type OrderNotification =
  | { type: StatusNotificationType }
  | { type: 'PAYMENT_FAILED'; reason: string }
  | { type: 'ORDER_REFUNDED'; refund: RefundIssuedData['refund'] };

/** What identifies the order and reaches its buyer: from the event, else from the order.placed snapshot. */
interface OrderRefs {
  orderId: string;
  orderNumber?: string | null | undefined;
  userId: string | null;
  email?: string | null | undefined;
  trackingNumber?: string | null | undefined;
}

/** How long a fresh confirmation waits (through consumer retries) for its order.placed snapshot. */
const SNAPSHOT_WAIT_MS = 30_000;

export function createNotificationHandlers(settings: HandlerSettings): NotificationHandlers {
  const { storefrontUrl, logger } = settings;
  const now = settings.now ?? (() => new Date());

  const ageOf = (event: EventEnvelope): number => now().getTime() - Date.parse(event.occurredAt);
  const stale = (event: EventEnvelope): boolean => {
    const age = ageOf(event);
    if (age <= settings.maxEventAgeMs) return false;
    logger.info({ eventId: event.eventId, type: event.type, ageMs: age }, 'event too old to notify about; read models updated only');
    return true;
  };

  /**
   * Where an order email links: the order page for an account's order (it needs
   * sign-in); for a guest order, which has no account to sign in to, the guest
   * order lookup with the number filled in (the guest types the email).
   */
  const orderUrl = (order: OrderRefs): string => {
    if (order.userId) return `${storefrontUrl}/orders/${encodeURIComponent(order.orderId)}`;
    return order.orderNumber ? `${storefrontUrl}/order-lookup?number=${encodeURIComponent(order.orderNumber)}` : `${storefrontUrl}/order-lookup`;
  };

  async function notifyAboutOrder(
    tx: NotificationsTx,
    event: EventEnvelope,
    notification: OrderNotification,
    order: OrderRefs,
    /** The deliveries' idempotency key; the event id unless one fact can arrive in several events. */
    key: string = event.eventId,
  ): Promise<void> {
    const { type } = notification;
    // A guest order has no user: the order's own email (carried by the event) is the contact.
    const known = order.userId ? await contactOf(tx, order.userId) : null;
    const contact = known ?? (order.email ? { name: null, email: order.email.toLowerCase(), phone: null } : null);
    const summary = await orderSummaryOf(tx, order.orderId);
    if (!summary && type === 'ORDER_CONFIRMED' && ageOf(event) < SNAPSHOT_WAIT_MS) {
      // order.placed travels on commerce.order and status changes on their own
      // topic, so a confirmation can overtake the placement it follows. Throwing
      // makes the consumer retry with backoff until the snapshot (with the
      // lines the email lists) is there; an older event goes out without it.
      throw new Error(`order ${order.orderId}: order.placed not consumed yet; retrying the confirmation email`);
    }
    const data = {
      name: contact?.name ?? null,
      orderId: order.orderId,
      orderNumber: order.orderNumber ?? null,
      orderUrl: orderUrl(order),
      order: summary,
      trackingNumber: order.trackingNumber ?? null,
    };
    const rendered =
      notification.type === 'PAYMENT_FAILED'
        ? renderNotification({ type: notification.type, data: { ...data, reason: notification.reason } })
        : notification.type === 'ORDER_REFUNDED'
          ? renderNotification({ type: notification.type, data: { ...data, refund: notification.refund } })
          : renderNotification({ type: notification.type, data });
    await scheduleNotification(
      tx,
      { eventId: key, eventType: event.type, type, userId: order.userId, contact, rendered, orderId: order.orderId },
      logger,
    );
  }

  return {
    ...createAccountHandlers(settings),

    async 'user.registered'({ tx }, event) {
      const { userId, email, name } = event.payload;
      await recordContact(tx, { userId, email, name });
      if (stale(event)) return;
      const rendered = renderNotification({ type: 'WELCOME', data: { name, storefrontUrl } });
      await scheduleNotification(
        tx,
        { eventId: event.eventId, eventType: event.type, type: 'WELCOME', userId, contact: { email, phone: null }, rendered },
        logger,
      );
    },

    async 'user.password_reset_requested'({ tx }, event) {
      const { userId, email, name, resetToken } = event.payload;
      // The event carries the account's current email and name: a user registered before
      // notifications existed becomes known here.
      await recordContact(tx, { userId, email, name });
      const expiresAt = new Date(event.payload.expiresAt);
      if (expiresAt <= now()) {
        logger.info({ eventId: event.eventId, userId }, 'password reset link already expired; not sent');
        return;
      }
      const resetUrl = `${storefrontUrl}/reset-password?token=${encodeURIComponent(resetToken)}`;
      const rendered = renderNotification({ type: 'PASSWORD_RESET', data: { name, resetUrl, expiresAt } });
      // To the address the request was made for (the event's), not whatever the read model held.
      await scheduleNotification(
        tx,
        { eventId: event.eventId, eventType: event.type, type: 'PASSWORD_RESET', userId, contact: { email: email.toLowerCase(), phone: null }, rendered },
        logger,
      );
    },

    async 'order.placed'({ tx }, event) {
      await recordOrder(tx, event.payload);
    },

    async 'order.status_changed'({ tx }, event) {
      const type = TYPE_BY_STATUS[event.payload.to];
      if (!type || stale(event)) return;
      await notifyAboutOrder(tx, event, { type }, event.payload);
    },

    async 'order.cancelled'({ tx }, event) {
      if (event.payload.to !== 'PAYMENT_FAILED' || stale(event)) return;
      await notifyAboutOrder(tx, event, { type: 'PAYMENT_FAILED', reason: event.payload.reason }, event.payload);
    },

    async 'order.refunded'({ tx }, event) {
      if (stale(event)) return;
      const { orderId, userId, refundRequestId, amountMinor, currency, fullyRefunded } = event.payload;
      // order.placed travels on the same topic with the same key, so its snapshot is here
      // already (unless the order predates this service): number and guest email from it
      // when the event has none (events from before they carried them).
      const placed = await orderRefsOf(tx, orderId);
      const order: OrderRefs = {
        orderId,
        userId,
        orderNumber: event.payload.orderNumber ?? placed?.orderNumber,
        email: event.payload.email ?? placed?.email,
      };
      const refund = { amountMinor, currency, full: fullyRefunded ?? null };
      // Keyed by the refund request, not the event: one refund is one email, whichever event reports it.
      await notifyAboutOrder(tx, event, { type: 'ORDER_REFUNDED', refund }, order, refundRequestId);
    },
  };
}
