import { orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

/** order.status_changed → DELIVERED. */
export function orderDeliveredTemplate(data: OrderTemplateData): RenderedNotification {
  return orderEmail(data, {
    subject: 'Your order was delivered',
    title: 'Delivered',
    message: 'Your order was delivered. We hope you enjoy it!',
    shortBody: 'Your order was delivered.',
  });
}
