import type { OrderStatus } from '@/graphql/generated/graphql';

/** Every order status, in the order an order goes through them. */
export const ORDER_STATUSES: OrderStatus[] = [
  'PENDING',
  'STOCK_RESERVED',
  'PAYMENT_AUTHORIZED',
  'CONFIRMED',
  'FULFILLED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'PAYMENT_FAILED',
  'REFUNDED',
];
