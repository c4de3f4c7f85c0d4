import { formatMoney } from './money.js';
import { orderEmail } from './order-email.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

export interface RefundIssuedData extends OrderTemplateData {
  /** What this refund returned, in integer minor units of `currency` (from order.refunded). */
  refund: {
    amountMinor: number;
    currency: string;
    /** True once everything paid is refunded, false for a partial refund; null when the event does not say (older events). */
    full: boolean | null;
  };
}

const BANK_DELAY = 'Depending on your bank, it can take a few days to show on your statement.';

/**
 * order.refunded: one email per refund that went through, partial or full.
 * A full refund also moves the order to REFUNDED; that status change sends
 * nothing itself (handlers.ts), so the shopper gets this one email.
 */
export function orderRefundedTemplate(data: RefundIssuedData): RenderedNotification {
  const amount = formatMoney(data.refund.amountMinor, data.refund.currency);
  if (data.refund.full === false) {
    return orderEmail(data, {
      subject: 'A partial refund is on its way',
      title: 'Partial refund',
      message: `We refunded ${amount} of your order to your payment method.`,
      detail: BANK_DELAY,
      shortBody: `We refunded ${amount} of your order.`,
    });
  }
  const inFull = data.refund.full ? ' Your order is now refunded in full.' : '';
  return orderEmail(data, {
    subject: 'Your refund is on its way',
    title: 'Refunded',
    message: `We refunded ${amount} to your payment method.${inFull}`,
    detail: BANK_DELAY,
    shortBody: data.refund.full ? `We refunded ${amount}; your order is refunded in full.` : `We refunded ${amount}.`,
  });
}
