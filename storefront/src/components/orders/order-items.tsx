import type { MoneyFieldsFragment } from '@/graphql/generated/graphql';
import { formatMoney } from '@/lib/money';
import type { OrderDetails } from './order-fragment';

/**
 * An order's items table and its totals. No hooks, so it renders on the server
 * (the account's order page) and inside a client component (the guest lookup).
 */
export function OrderItems({
  order,
  caption,
  discountCode,
  refunded,
}: {
  order: Pick<OrderDetails, 'lines' | 'subtotal' | 'discount' | 'shipping' | 'tax' | 'total'>;
  /** A visually hidden caption naming the table. */
  caption?: string;
  /** Shown after "Discount" when given. */
  discountCode?: string | null | undefined;
  /** A "Refunded" row when given and above zero. */
  refunded?: MoneyFieldsFragment | undefined;
}) {
  return (
    <>
      <table className="order-table">
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.id}>
              <th scope="row">
                {line.title}
                <span className="muted order-sku">SKU {line.sku}</span>
              </th>
              <td className="num">{line.quantity}</td>
              <td className="num">{formatMoney(line.unitPrice)}</td>
              <td className="num">{formatMoney(line.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="totals">
        <dt>Subtotal</dt>
        <dd>{formatMoney(order.subtotal)}</dd>
        {order.discount.amountMinor > 0 ? (
          <>
            <dt>Discount{discountCode ? ` (${discountCode})` : ''}</dt>
            <dd>−{formatMoney(order.discount)}</dd>
          </>
        ) : null}
        <dt>Shipping</dt>
        <dd>{formatMoney(order.shipping)}</dd>
        <dt>Tax</dt>
        <dd>{formatMoney(order.tax)}</dd>
        <dt className="totals__grand">Total</dt>
        <dd className="totals__grand">{formatMoney(order.total)}</dd>
        {refunded && refunded.amountMinor > 0 ? (
          <>
            <dt>Refunded</dt>
            <dd>{formatMoney(refunded)}</dd>
          </>
        ) : null}
      </dl>
    </>
  );
}
