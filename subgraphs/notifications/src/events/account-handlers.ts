/**
 * What notifications does with account-change events from users. Like every
 * handler, each runs inside the consumer's transaction (read models and
 * delivery rows commit with the processed_events row) and sends nothing itself.
 *
 *   user.email_change_requested → EMAIL_CHANGE_CONFIRMATION to the NEW address (email, always;
 *                                 not sent once expired). The contact is NOT changed: the
 *                                 address is unconfirmed.
 *   user.email_changed          → contact updated; EMAIL_CHANGED notice to the PREVIOUS address
 *   user.deleted                → contact, preferences and in-app inbox forgotten; open
 *                                 deliveries to the user cancelled
 */
import type { DomainEventDefinition, EnvelopeForType, EventContext, EventEnvelope } from '@commerce/events';
import type { NotificationsTx } from '../data/prisma.js';
import { scheduleNotification } from '../service/delivery.service.js';
import { recordContact } from '../service/read-models.service.js';
import { forgetUser } from '../service/user-erasure.service.js';
import { renderNotification } from '../templates/index.js';
import type { HandlerSettings } from './handlers.js';

type Envelope<T extends DomainEventDefinition['type']> = EnvelopeForType<DomainEventDefinition, T>;
type Handler<T extends DomainEventDefinition['type']> = (ctx: EventContext<NotificationsTx>, event: Envelope<T>) => Promise<void>;

export interface AccountHandlers {
  'user.email_change_requested': Handler<'user.email_change_requested'>;
  'user.email_changed': Handler<'user.email_changed'>;
  'user.deleted': Handler<'user.deleted'>;
}

/** The storefront page a confirmation link opens: it calls confirmEmailChange with the token. */
export const confirmEmailUrl = (storefrontUrl: string, token: string): string =>
  `${storefrontUrl}/account/confirm-email?token=${encodeURIComponent(token)}`;

export function createAccountHandlers(settings: HandlerSettings): AccountHandlers {
  const { storefrontUrl, logger } = settings;
  const now = settings.now ?? (() => new Date());
  const stale = (event: EventEnvelope): boolean => now().getTime() - Date.parse(event.occurredAt) > settings.maxEventAgeMs;

  return {
    async 'user.email_change_requested'({ tx }, event) {
      const { userId, name, newEmail, confirmationToken } = event.payload;
      const expiresAt = new Date(event.payload.expiresAt);
      if (expiresAt <= now()) {
        logger.info({ eventId: event.eventId, userId }, 'email change link already expired; not sent');
        return;
      }
      const confirmUrl = confirmEmailUrl(storefrontUrl, confirmationToken);
      const email = newEmail.toLowerCase();
      const rendered = renderNotification({ type: 'EMAIL_CHANGE_CONFIRMATION', data: { name, newEmail: email, confirmUrl, expiresAt } });
      await scheduleNotification(
        tx,
        { eventId: event.eventId, eventType: event.type, type: 'EMAIL_CHANGE_CONFIRMATION', userId, contact: { email, phone: null }, rendered },
        logger,
      );
    },

    async 'user.email_changed'({ tx }, event) {
      const { userId, name, email, previousEmail } = event.payload;
      await recordContact(tx, { userId, email, name });
      if (stale(event)) return;
      const rendered = renderNotification({ type: 'EMAIL_CHANGED', data: { name, newEmail: email.toLowerCase(), accountUrl: `${storefrontUrl}/account` } });
      await scheduleNotification(
        tx,
        { eventId: event.eventId, eventType: event.type, type: 'EMAIL_CHANGED', userId, contact: { email: previousEmail.toLowerCase(), phone: null }, rendered },
        logger,
      );
    },

    async 'user.deleted'({ tx }, event) {
      const cancelled = await forgetUser(tx, event.payload.userId, now());
      logger.info({ eventId: event.eventId, userId: event.payload.userId, cancelled }, 'user deleted; contact, preferences and inbox forgotten');
    },
  };
}
