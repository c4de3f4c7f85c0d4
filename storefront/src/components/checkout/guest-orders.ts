import 'server-only';
import { cookies } from 'next/headers';
import { sessionCookieOptions } from '@/lib/cookie-names';

/**
 * A guest's recent orders, so the confirmation page can show the order to the
 * browser that placed it (and to no one else): an httpOnly cookie holding, per
 * order, what the graph's guest access needs (number + email for orderLookup,
 * id + email for orderStatusChanged) and the anonymous cart the order came
 * from (its lines come back there after a declined payment). No script can
 * read it; a forged entry gains nothing, since the graph checks number and
 * email itself.
 */
const COOKIE_NAME = 'sf_guest_orders';
const MAX_ORDERS = 5;
const MAX_AGE_SECONDS = 60 * 60 * 24 * 30;

export interface GuestOrder {
  id: string;
  number: string;
  email: string;
  cartId: string;
  cartToken: string;
}

export async function guestOrders(): Promise<GuestOrder[]> {
  const raw = (await cookies()).get(COOKIE_NAME)?.value;
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isGuestOrder).slice(0, MAX_ORDERS) : [];
  } catch {
    return [];
  }
}

export async function guestOrder(id: string): Promise<GuestOrder | undefined> {
  return (await guestOrders()).find((order) => order.id === id);
}

/** Server actions and route handlers only. */
export async function rememberGuestOrder(order: GuestOrder): Promise<void> {
  const others = (await guestOrders()).filter((known) => known.id !== order.id);
  (await cookies()).set(COOKIE_NAME, JSON.stringify([order, ...others].slice(0, MAX_ORDERS)), {
    ...sessionCookieOptions(),
    maxAge: MAX_AGE_SECONDS,
  });
}

function isGuestOrder(value: unknown): value is GuestOrder {
  if (!value || typeof value !== 'object') return false;
  const order = value as Record<string, unknown>;
  return ['id', 'number', 'email', 'cartId', 'cartToken'].every((key) => typeof order[key] === 'string');
}
