import { appendToOutbox, UserPasswordResetRequested, type TraceCarrier } from '@commerce/events';
import type { UsersTx } from '../data/prisma.js';

/**
 * `user.password_reset_requested`: written to the outbox in the transaction
 * that stores the reset token's hash, so the email (sent by notifications) and
 * the token that makes its link work exist together or not at all.
 *
 * The payload carries the token itself, for the link: the event stays on the
 * internal user topic and must never be logged or forwarded to clients. The
 * outbox row keeps it until published rows are pruned; the token is useless
 * after `expiresAt` or once used.
 */
export async function recordPasswordResetRequested(
  tx: UsersTx,
  request: { userId: string; email: string; name: string; resetToken: string; expiresAt: Date },
  traceContext: TraceCarrier,
): Promise<void> {
  await appendToOutbox(tx, UserPasswordResetRequested, {
    aggregateId: request.userId,
    traceContext,
    payload: {
      userId: request.userId,
      email: request.email,
      name: request.name,
      resetToken: request.resetToken,
      expiresAt: request.expiresAt.toISOString(),
    },
  });
}
