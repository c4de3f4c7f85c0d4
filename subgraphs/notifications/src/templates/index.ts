/**
 * One template per notification type. `renderNotification` picks the one for
 * a type; everything a template shows comes in its data (no lookups here).
 * The table is keyed by NotificationType, so a new type does not compile
 * until it has a template.
 */
import type { NotificationType } from '../data/prisma.js';
import {
  emailChangeConfirmationTemplate,
  emailChangedTemplate,
  type EmailChangeConfirmationData,
  type EmailChangedData,
} from './email-change.js';
import { orderConfirmedTemplate } from './order-confirmed.js';
import { orderDeliveredTemplate } from './order-delivered.js';
import { orderRefundedTemplate, type RefundIssuedData } from './order-refunded.js';
import { orderShippedTemplate } from './order-shipped.js';
import { passwordResetTemplate, type PasswordResetData } from './password-reset.js';
import { paymentFailedTemplate, type PaymentFailedData } from './payment-failed.js';
import type { OrderTemplateData, RenderedNotification } from './types.js';
import { welcomeTemplate, type WelcomeData } from './welcome.js';

export interface TemplateData {
  WELCOME: WelcomeData;
  PASSWORD_RESET: PasswordResetData;
  ORDER_CONFIRMED: OrderTemplateData;
  PAYMENT_FAILED: PaymentFailedData;
  ORDER_SHIPPED: OrderTemplateData;
  ORDER_DELIVERED: OrderTemplateData;
  ORDER_REFUNDED: RefundIssuedData;
  EMAIL_CHANGE_CONFIRMATION: EmailChangeConfirmationData;
  EMAIL_CHANGED: EmailChangedData;
}

const templates: { [T in NotificationType]: (data: TemplateData[T]) => RenderedNotification } = {
  WELCOME: welcomeTemplate,
  PASSWORD_RESET: (data) => passwordResetTemplate(data),
  ORDER_CONFIRMED: orderConfirmedTemplate,
  PAYMENT_FAILED: paymentFailedTemplate,
  ORDER_SHIPPED: orderShippedTemplate,
  ORDER_DELIVERED: orderDeliveredTemplate,
  ORDER_REFUNDED: orderRefundedTemplate,
  EMAIL_CHANGE_CONFIRMATION: (data) => emailChangeConfirmationTemplate(data),
  EMAIL_CHANGED: emailChangedTemplate,
};

export type TemplateInput = { [T in NotificationType]: { type: T; data: TemplateData[T] } }[NotificationType];

export function renderNotification(input: TemplateInput): RenderedNotification {
  const template = templates[input.type] as (data: TemplateInput['data']) => RenderedNotification;
  return template(input.data);
}

export { escapeHtml, html, safeUrl, SafeHtml } from './html.js';
export { formatMoney } from './money.js';
export type { RefundIssuedData } from './order-refunded.js';
export type { OrderSummary, OrderTemplateData, RenderedNotification } from './types.js';
