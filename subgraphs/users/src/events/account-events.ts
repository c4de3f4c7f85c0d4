import { appendToOutbox, UserDeleted, UserEmailChanged, UserEmailChangeRequested, type TraceCarrier } from '@commerce/events';
import type { UsersTx } from '../data/prisma.js';

/**
 * Events of account changes, each written to the outbox in the transaction
 * that makes the change (see account.service.ts).
 */

/**
 * `user.email_change_requested`: in the transaction that stores the
 * confirmation token's hash, so the email (sent by notifications to the NEW
 * address) and the token that makes its link work exist together or not at
 * all. The payload carries the token itself, for the link: internal topic
 * only, never logged; useless after `expiresAt` or once used.
 */
export async function recordEmailChangeRequested(
  tx: UsersTx,
  request: { userId: string; name: string; newEmail: string; confirmationToken: string; expiresAt: Date },
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, UserEmailChangeRequested, {
    aggregateId: request.userId,
    traceContext,
    payload: {
      userId: request.userId,
      name: request.name,
      newEmail: request.newEmail,
      confirmationToken: request.confirmationToken,
      expiresAt: request.expiresAt.toISOString(),
    },
  });
}

/** `user.email_changed`: in the transaction that switches users.email. */
export async function recordEmailChanged(
  tx: UsersTx,
  change: { userId: string; name: string; email: string; previousEmail: string; changedAt: Date },
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, UserEmailChanged, {
    aggregateId: change.userId,
    traceContext,
    payload: {
      userId: change.userId,
      name: change.name,
      email: change.email,
      previousEmail: change.previousEmail,
      changedAt: change.changedAt.toISOString(),
    },
  });
}

/** `user.deleted`: in the transaction that deletes the account. No personal data. */
export async function recordUserDeleted(tx: UsersTx, userId: string, deletedAt: Date, traceContext: TraceCarrier): Promise<void> {
  await appendToOutbox(tx, UserDeleted, {
    aggregateId: userId,
    traceContext,
    payload: { userId, deletedAt: deletedAt.toISOString() },
  });
}
