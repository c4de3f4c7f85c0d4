/**
 * Guests: orders placed from an anonymous cart with an email address, and how
 * a guest reaches them without an account.
 *
 * A guest order has no user id, so the ownerOrAdmin rule on Order's fields
 * never lets a guest through. Instead, the few paths that prove the caller is
 * the guest hand out an order object marked here: placeOrder (the caller held
 * the cart's token), orderLookup (number + email matched) and
 * orderStatusChanged with the order's email. permissions.ts lets the fields
 * of a marked object through. The mark is on the object itself (a copy made
 * for the caller), not on the order id, so it reaches no other request or
 * subscriber, and the same order read any other way shows nothing.
 */
import { badInput } from '@commerce/errors';
import type { Order } from '../generated/prisma/client.js';

const granted = new WeakSet<object>();

/**
 * A guest's order: no account, and not the order of a deleted account (those
 * are detached, with user and email cleared, and no one's to look up: account.service.ts).
 */
export const isGuestOrder = (order: Pick<Order, 'userId' | 'accountDeletedAt'>): boolean => order.userId === null && order.accountDeletedAt === null;

/** A copy of `order` whose fields a guest may read (see the top of this file). */
export function grantGuestAccess<T extends object>(order: T): T {
  const copy = { ...order };
  granted.add(copy);
  return copy;
}

/** Marks an object made for one guest subscriber (a live state) as readable by them. */
export function markGuestAccess(order: object): void {
  granted.add(order);
}

export const hasGuestAccess = (order: unknown): boolean => typeof order === 'object' && order !== null && granted.has(order);

const MAX_EMAIL = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trimmed and lower-cased, or null when it cannot be an email address. */
export function normalizeEmail(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email.length <= MAX_EMAIL && EMAIL.test(email) ? email : null;
}

/** A guest's contact email; BAD_USER_INPUT (field `email`) when missing or malformed. */
export function validGuestEmail(value: string | null | undefined): string {
  if (value === null || value === undefined || value.trim() === '') {
    throw badInput('email is required to check out without an account.', 'email');
  }
  const email = normalizeEmail(value);
  if (!email) throw badInput('email is not a valid email address.', 'email');
  return email;
}
