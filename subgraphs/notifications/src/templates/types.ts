/**
 * What a template produces for one notification: the email (subject, text,
 * HTML) and a short form for in-app, push and SMS (title, body, link).
 */
export interface RenderedNotification {
  subject: string;
  text: string;
  html: string;
  title: string;
  body: string;
  /** Where the notification leads in the storefront; null when nowhere in particular. */
  link: string | null;
}

/** An order as the order emails show it, from the order.placed read model. */
export interface OrderSummary {
  orderId: string;
  currency: string;
  lines: { name: string; sku: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }[];
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  totalMinor: number;
}

/** What every order notification knows. `order` is null when order.placed was never seen (see README). */
export interface OrderTemplateData {
  /** The recipient's name; null when the user is unknown to this service. */
  name: string | null;
  orderId: string;
  /** The order's short number (e.g. "100234"), shown instead of the id; null for events from before numbers existed. */
  orderNumber?: string | null;
  orderUrl: string;
  order: OrderSummary | null;
  /** SHIPPED: the carrier's tracking number, when the order carries one. */
  trackingNumber?: string | null;
}
