/**
 * Orders and accounts: a guest who later signs up with the email of their
 * guest orders finds them in their account. The users subgraph publishes
 * user.registered (with the account's lower-cased email); the consumer
 * (events/consumer.ts, group `orders`, idempotent through processed_events)
 * sets user_id on every guest order placed with that email, in the event's
 * transaction. Running it twice attaches nothing more.
 *
 * Caution: users does not verify email addresses before user.registered, so
 * whoever registers an address gets the guest orders placed with it. Attach
 * on a verified-email event instead once users publishes one.
 */
import type { UserRegisteredPayload } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { OrdersTx } from '../data/prisma.js';
import { attachGuestOrders } from '../data/queries.js';

export async function onUserRegistered(tx: OrdersTx, event: { eventId: string; payload: UserRegisteredPayload }, logger: Logger): Promise<void> {
  const { userId, email } = event.payload;
  const attached = await attachGuestOrders(tx, userId, email.trim().toLowerCase());
  if (attached.length > 0) logger.info({ eventId: event.eventId, userId, orderIds: attached }, 'guest orders attached to the new account');
}
