import { html, type SafeHtml } from './html.js';
import { emailHtml, emailText, greeting } from './layout.js';
import { formatMoney } from './money.js';
import { orderSummaryHtml, orderSummaryText } from './order-summary.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';

/**
 * The shape every order notification shares: greeting, a message, the order's
 * lines and totals (or a link to it when they are unknown), and a button to
 * the order page. Each order template fills in the words.
 */
export function orderEmail(
  data: OrderTemplateData,
  words: { subject: string; title: string; message: string; detail?: string | null; shortBody: string },
): RenderedNotification {
  const reference = data.orderNumber ? `Order #${data.orderNumber}` : `Order ${data.orderId}`;
  const summaryHtml: SafeHtml = data.order
    ? orderSummaryHtml(data.order)
    : html`<p>You can see the details of your order in your account.</p>`;
  const summaryText = data.order ? orderSummaryText(data.order) : ['You can see the details of your order in your account.'];
  return {
    subject: words.subject,
    text: emailText([greeting(data.name), '', words.message, words.detail, '', reference, ...summaryText, '', `View your order: ${data.orderUrl}`]),
    html: emailHtml({
      title: words.title,
      preheader: words.message,
      body: html`<p>${greeting(data.name)}</p><p>${words.message}</p>${words.detail ? html`<p>${words.detail}</p>` : ''}<p style="color:#6b7280;font-size:13px">${reference}</p>${summaryHtml}`,
      action: { label: 'View your order', url: data.orderUrl },
    }),
    title: words.title,
    body: data.orderNumber ? `Order #${data.orderNumber}: ${words.shortBody}` : words.shortBody,
    link: data.orderUrl,
  };
}

/** "for $129.99" when the total is known, else "". */
export const forTotal = (data: OrderTemplateData): string =>
  data.order ? ` for ${formatMoney(data.order.totalMinor, data.order.currency)}` : '';
