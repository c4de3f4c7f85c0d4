import { forTotal, orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

/** order.status_changed → REFUNDED: the order was refunded in full. */
export function orderRefundedTemplate(data: OrderTemplateData): RenderedNotification {
  return orderEmail(data, {
    subject: 'Your refund is on its way',
    title: 'Refunded',
    message: `We refunded your order${forTotal(data)}. Depending on your bank, it can take a few days to show on your statement.`,
    shortBody: `Your order was refunded${forTotal(data)}.`,
  });
}
