/** Templates on their own: money formatting, escaping, and what each type says. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, formatMoney, html, renderNotification, safeUrl, type OrderSummary } from '../src/templates/index.js';

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const order: OrderSummary = {
  orderId: '0190f0c2-0000-7000-8000-000000000001',
  currency: 'EUR',
  lines: [{ name: 'Lamp <Deluxe>', sku: 'LAMP-1', quantity: 3, unitPriceMinor: 4333, lineTotalMinor: 12999 }],
  subtotalMinor: 12999,
  discountMinor: 0,
  taxMinor: 2470,
  shippingMinor: 0,
  totalMinor: 15469,
};

describe('formatMoney', () => {
  it.each([
    [12999, 'USD', '$129.99'],
    [5, 'USD', '$0.05'],
    [100000, 'USD', '$1,000.00'],
    [12999, 'EUR', '129,99 €'],
    [123456, 'EUR', '1.234,56 €'],
  ])('%i %s → %s', (minor, currency, expected) => {
    expect(nbsp(formatMoney(minor, currency))).toBe(expected);
  });
});

describe('escaping', () => {
  it('escapes interpolations but not nested html', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${'a & "b" \'c\''}${inner}${null}${false}${['<', '>']}</p>`.value).toBe(
      '<p>a &amp; &quot;b&quot; &#39;c&#39;<b>&lt;i&gt;</b>&lt;&gt;</p>',
    );
    expect(escapeHtml('<script>')).toBe('&lt;script&gt;');
  });

  it('lets only http(s) links into an href', () => {
    expect(safeUrl('javascript:alert(1)')).toBe('#');
    expect(safeUrl('not a url')).toBe('#');
    expect(safeUrl('https://shop.example/reset-password?token=a_b-c')).toBe('https://shop.example/reset-password?token=a_b-c');
  });
});

describe('templates', () => {
  it('render the order lines, tax and totals, escaped in HTML', () => {
    const rendered = renderNotification({
      type: 'ORDER_CONFIRMED',
      data: { name: 'Zoë', orderId: order.orderId, orderUrl: `https://shop.example/orders/${order.orderId}`, order },
    });
    expect(rendered.subject).toBe('Your order is confirmed');
    expect(nbsp(rendered.text)).toContain('3 × Lamp <Deluxe> (LAMP-1) @ 43,33 € = 129,99 €');
    expect(nbsp(rendered.text)).toContain('Tax: 24,70 €');
    expect(nbsp(rendered.text)).toContain('Total: 154,69 €');
    expect(rendered.text).not.toContain('Discount');
    expect(rendered.html).toContain('Lamp &lt;Deluxe&gt;');
    expect(nbsp(rendered.html)).toContain('<strong>154,69 €</strong>');
    expect(rendered.html).toContain('Hello Zoë,');
    expect(nbsp(rendered.body)).toBe('Your order for 154,69 € is confirmed.');
    expect(rendered.link).toBe(`https://shop.example/orders/${order.orderId}`);
  });

  it('greet without a name when the user is unknown', () => {
    const rendered = renderNotification({ type: 'ORDER_DELIVERED', data: { name: null, orderId: order.orderId, orderUrl: 'https://shop.example/o', order: null } });
    expect(rendered.text.startsWith('Hello,\n')).toBe(true);
  });

  it('password reset: the link is in the email, not in the short form (in-app, push)', () => {
    const resetUrl = 'https://shop.example/reset-password?token=abc';
    const rendered = renderNotification({ type: 'PASSWORD_RESET', data: { name: 'Ada', resetUrl, expiresAt: new Date(Date.now() + 30 * 60_000) } });
    expect(rendered.text).toContain(resetUrl);
    expect(rendered.html).toContain(`href="${resetUrl}"`);
    expect(rendered.link).toBeNull();
    expect(rendered.body).not.toContain('abc');
  });
});
