import { appendToOutbox, UserRegistered, type TraceCarrier } from '@commerce/events';
import type { UsersTx } from '../data/prisma.js';
import type { UserRecord } from '../data/records.js';

/**
 * `user.registered`: published once per new account (customers on sign-up,
 * administrators when created). Written to the outbox inside the transaction
 * that inserts the user; the relay publishes it to Kafka afterwards, stamped
 * with the trace context of the request that caused it.
 */
export async function recordUserRegistered(tx: UsersTx, user: UserRecord, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, UserRegistered, {
    aggregateId: user.id,
    traceContext,
    payload: {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      registeredAt: user.createdAt.toISOString(),
    },
  });
}
