import { html, type SafeHtml } from './html.js';
import { formatMoney } from './money.js';
import type { OrderSummary } from './types.js';

/** The lines and totals of an order, as an HTML table and as text, for every order email. */

interface TotalRow {
  label: string;
  amountMinor: number;
  negative?: boolean;
  strong?: boolean;
}

function totalRows(order: OrderSummary): TotalRow[] {
  const rows: TotalRow[] = [{ label: 'Subtotal', amountMinor: order.subtotalMinor }];
  if (order.discountMinor > 0) rows.push({ label: 'Discount', amountMinor: order.discountMinor, negative: true });
  rows.push({ label: 'Shipping', amountMinor: order.shippingMinor });
  if (order.taxMinor > 0) rows.push({ label: 'Tax', amountMinor: order.taxMinor });
  rows.push({ label: 'Total', amountMinor: order.totalMinor, strong: true });
  return rows;
}

const money = (order: OrderSummary, row: TotalRow): string =>
  `${row.negative ? '−' : ''}${formatMoney(row.amountMinor, order.currency)}`;

export function orderSummaryHtml(order: OrderSummary): SafeHtml {
  const cell = 'padding:6px 4px;border-bottom:1px solid #e5e7eb';
  return html`<table role="presentation" style="width:100%;border-collapse:collapse;margin:16px 0;font-size:14px">
<thead><tr><th align="left" style="${cell}">Item</th><th align="right" style="${cell}">Qty</th><th align="right" style="${cell}">Price</th><th align="right" style="${cell}">Total</th></tr></thead>
<tbody>
${order.lines.map(
  (line) =>
    html`<tr><td style="${cell}">${line.name}<br><span style="color:#6b7280;font-size:12px">${line.sku}</span></td><td align="right" style="${cell}">${line.quantity}</td><td align="right" style="${cell}">${formatMoney(line.unitPriceMinor, order.currency)}</td><td align="right" style="${cell}">${formatMoney(line.lineTotalMinor, order.currency)}</td></tr>
`,
)}</tbody>
<tfoot>
${totalRows(order).map(
  (row) =>
    html`<tr><td colspan="3" align="right" style="padding:4px">${row.strong ? html`<strong>${row.label}</strong>` : row.label}</td><td align="right" style="padding:4px">${row.strong ? html`<strong>${money(order, row)}</strong>` : money(order, row)}</td></tr>
`,
)}</tfoot>
</table>`;
}

export function orderSummaryText(order: OrderSummary): string[] {
  const lines = order.lines.map(
    (line) =>
      `  ${line.quantity} × ${line.name} (${line.sku}) @ ${formatMoney(line.unitPriceMinor, order.currency)} = ${formatMoney(line.lineTotalMinor, order.currency)}`,
  );
  const totals = totalRows(order).map((row) => `  ${row.label}: ${money(order, row)}`);
  return [...lines, '', ...totals];
}
