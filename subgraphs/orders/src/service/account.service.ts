/**
 * Orders and accounts.
 *
 * Registration: a guest who later signs up with the email of their
 * guest orders finds them in their account. The users subgraph publishes
 * user.registered (with the account's lower-cased email); the consumer
 * (events/consumer.ts, group `orders`, idempotent through processed_events)
 * sets user_id on every guest order placed with that email, in the event's
 * transaction. Running it twice attaches nothing more.
 *
 * Caution: users does not verify email addresses before user.registered, so
 * whoever registers an address gets the guest orders placed with it. Attach
 * on a verified-email event instead once users publishes one.
 *
 * Deletion: users hard-deletes the account and publishes user.deleted
 * (userId, deletedAt; no personal data). The orders are kept for accounting
 * and legal reasons but detached from the person (detachOrdersOfUser): user_id
 * and the contact email are cleared, account_deleted_at is set. Clearing the
 * email is the choice made here: the invoice's amounts, lines, tax and
 * shipping address stay, but the email only served to reach the person and to
 * let a guest in, which a deleted account must not keep. So orderLookup, a
 * guest's orderStatusChanged and a later registration with the same address
 * (a new account) never reach these orders, and their later events carry
 * neither user nor email, so nobody is notified about them any more.
 * Idempotent: a redelivered event detaches nothing more.
 */
import type { UserDeletedPayload, UserRegisteredPayload } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { OrdersTx } from '../data/prisma.js';
import { attachGuestOrders, detachOrdersOfUser } from '../data/queries.js';

export async function onUserRegistered(tx: OrdersTx, event: { eventId: string; payload: UserRegisteredPayload }, logger: Logger): Promise<void> {
  const { userId, email } = event.payload;
  const attached = await attachGuestOrders(tx, userId, email.trim().toLowerCase());
  if (attached.length > 0) logger.info({ eventId: event.eventId, userId, orderIds: attached }, 'guest orders attached to the new account');
}

export async function onUserDeleted(tx: OrdersTx, event: { eventId: string; payload: UserDeletedPayload }, logger: Logger): Promise<void> {
  const { userId, deletedAt } = event.payload;
  const detached = await detachOrdersOfUser(tx, userId, new Date(deletedAt));
  logger.info({ eventId: event.eventId, userId, orders: detached.length }, 'orders of a deleted account detached');
}
