import { forTotal, orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

/** order.status_changed → CONFIRMED: stock held, payment authorized. */
export function orderConfirmedTemplate(data: OrderTemplateData): RenderedNotification {
  return orderEmail(data, {
    subject: 'Your order is confirmed',
    title: 'Thank you for your order',
    message: `Your order${forTotal(data)} is confirmed. We will let you know when it ships.`,
    shortBody: `Your order${forTotal(data)} is confirmed.`,
  });
}
