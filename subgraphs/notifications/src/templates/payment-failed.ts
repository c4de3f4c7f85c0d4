import { orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

export interface PaymentFailedData extends OrderTemplateData {
  /** Why orders gave up on the order (from order.cancelled), e.g. the decline reason. */
  reason: string;
}

/** order.cancelled with to = PAYMENT_FAILED: the card was declined; nothing was charged. */
export function paymentFailedTemplate(data: PaymentFailedData): RenderedNotification {
  return orderEmail(data, {
    subject: 'Your payment did not go through',
    title: 'Payment failed',
    message: 'We could not take the payment for your order, so it was cancelled and nothing was charged. You can place it again with another payment method.',
    detail: `Reason: ${data.reason}`,
    shortBody: 'The payment for your order failed; the order was cancelled.',
  });
}
