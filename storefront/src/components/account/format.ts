import type { OrderStatus } from '@/graphql/generated/graphql';

/** What each order status means to a shopper. */
export const ORDER_STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Placed',
  STOCK_RESERVED: 'Placed',
  PAYMENT_AUTHORIZED: 'Payment authorized',
  CONFIRMED: 'Confirmed',
  FULFILLED: 'Packed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  PAYMENT_FAILED: 'Payment failed',
  REFUNDED: 'Refunded',
};

export function statusLabel(status: OrderStatus): string {
  return ORDER_STATUS_LABEL[status] ?? status;
}

export function statusTone(status: OrderStatus): 'ok' | 'warn' | 'bad' | 'neutral' {
  if (status === 'CONFIRMED' || status === 'SHIPPED' || status === 'DELIVERED' || status === 'FULFILLED') return 'ok';
  if (status === 'CANCELLED' || status === 'PAYMENT_FAILED') return 'bad';
  if (status === 'REFUNDED') return 'neutral';
  return 'warn';
}

const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** Dates are shown in UTC (the server does not know the shopper's zone), and say so. */
export function formatDateTime(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`;
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}
