/**
 * The payment state machine. Statuses only move forward along these edges;
 * anything else (a stale webhook, a late event) leaves the payment alone.
 *
 *   PENDING ─► AUTHORIZED ─► CAPTURED ─► PARTIALLY_REFUNDED ─► REFUNDED
 *      │            │            └──────────────────────────────┘
 *      │            └─► VOIDED
 *      ├─► FAILED
 *      └─► CANCELLED
 */
import type { PaymentStatus } from '../generated/prisma/enums.js';

export type { PaymentStatus };

const NEXT: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['AUTHORIZED', 'FAILED', 'CANCELLED'],
  AUTHORIZED: ['CAPTURED', 'VOIDED'],
  CAPTURED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  REFUNDED: [],
  VOIDED: [],
  FAILED: [],
  CANCELLED: [],
};

export const canMove = (from: PaymentStatus, to: PaymentStatus): boolean => NEXT[from].includes(to);

/** Statuses with money captured (and possibly partly refunded). */
export const isCaptured = (status: PaymentStatus): boolean =>
  status === 'CAPTURED' || status === 'PARTIALLY_REFUNDED' || status === 'REFUNDED';

/** The status that follows from the refunded total. */
export const refundedStatus = (capturedMinor: number, refundedMinor: number): PaymentStatus =>
  refundedMinor >= capturedMinor ? 'REFUNDED' : refundedMinor > 0 ? 'PARTIALLY_REFUNDED' : 'CAPTURED';
