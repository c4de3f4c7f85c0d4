import type { OrderStatus } from '@/graphql/generated/graphql';

/** Still being decided by the checkout saga: the page follows it live. */
export const UNSETTLED: readonly OrderStatus[] = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED'];

export function isSettled(status: OrderStatus): boolean {
  return !UNSETTLED.includes(status);
}

export type StatusTone = 'pending' | 'ok' | 'failed' | 'neutral';

/** The shopper's words for an order status. */
export function describeStatus(status: OrderStatus): { label: string; tone: StatusTone } {
  switch (status) {
    case 'PENDING':
      return { label: 'We’re confirming your order…', tone: 'pending' };
    case 'STOCK_RESERVED':
    case 'PAYMENT_AUTHORIZED':
      return { label: 'We’re confirming your payment…', tone: 'pending' };
    case 'CONFIRMED':
      return { label: 'Confirmed', tone: 'ok' };
    case 'FULFILLED':
      return { label: 'Packed and ready to ship', tone: 'ok' };
    case 'SHIPPED':
      return { label: 'Shipped', tone: 'ok' };
    case 'DELIVERED':
      return { label: 'Delivered', tone: 'ok' };
    case 'PAYMENT_FAILED':
      return { label: 'Payment declined', tone: 'failed' };
    case 'CANCELLED':
      return { label: 'Cancelled', tone: 'failed' };
    case 'REFUNDED':
      return { label: 'Refunded', tone: 'neutral' };
    default:
      return { label: status, tone: 'neutral' };
  }
}
