import { orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

/** order.status_changed → SHIPPED. */
export function orderShippedTemplate(data: OrderTemplateData): RenderedNotification {
  return orderEmail(data, {
    subject: 'Your order has shipped',
    title: 'On its way',
    message: 'Good news: your order has shipped and is on its way to you.',
    detail: data.trackingNumber ? `Tracking number: ${data.trackingNumber}` : null,
    shortBody: data.trackingNumber ? `Your order has shipped (tracking number ${data.trackingNumber}).` : 'Your order has shipped.',
  });
}
