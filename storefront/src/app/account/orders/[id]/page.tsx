import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { countryName } from '@/components/account/countries';
import { formatDateTime, statusLabel, statusTone } from '@/components/account/format';
import { graphql } from '@/graphql/generated';
import { personalQuery } from '@/lib/auth';
import { GraphQLRequestError } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Order details', robots: { index: false } };

const AccountOrderQuery = graphql(`
  query AccountOrder($id: ID!) {
    order(id: $id) {
      id
      number
      status
      statusReason
      placedAt
      trackingNumber
      discountCode
      lines {
        id
        title
        sku
        quantity
        unitPrice {
          amountMinor
          currency
        }
        lineTotal {
          amountMinor
          currency
        }
      }
      subtotal {
        amountMinor
        currency
      }
      discount {
        amountMinor
        currency
      }
      shipping {
        amountMinor
        currency
      }
      tax {
        amountMinor
        currency
      }
      total {
        amountMinor
        currency
      }
      refundedAmount {
        amountMinor
        currency
      }
      shippingAddress {
        fullName
        line1
        line2
        city
        region
        postalCode
        countryCode
      }
      timeline {
        at
        from
        to
        reason
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AccountOrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const path = `/account/orders/${encodeURIComponent(id)}`;
  let order: Awaited<ReturnType<typeof loadOrder>>;
  try {
    order = await loadOrder(id, path);
  } catch (error) {
    if (error instanceof GraphQLRequestError && (error.code === 'NOT_FOUND' || error.code === 'BAD_USER_INPUT')) notFound();
    throw error;
  }
  if (!order) notFound();
  const address = order.shippingAddress;
  return (
    <AccountShell current={null}>
      <p>
        <Link href="/account">← All orders</Link>
      </p>
      <h1>Order #{order.number}</h1>
      <p className="order-summary-line">
        <span className={`status status--${statusTone(order.status)}`}>{statusLabel(order.status)}</span>{' '}
        <span className="muted">Placed {formatDateTime(order.placedAt)}</span>
      </p>
      {order.statusReason ? <p className="notice">{order.statusReason}</p> : null}
      <section aria-labelledby="tracking-heading" className="account-card">
        <h2 id="tracking-heading">Delivery</h2>
        <dl className="account-dl">
          <dt>Tracking number</dt>
          <dd data-testid="tracking-number">{order.trackingNumber ?? 'Not shipped yet'}</dd>
          <dt>Ship to</dt>
          <dd>
            <address>
              {address.fullName}
              <br />
              {address.line1}
              {address.line2 ? (
                <>
                  <br />
                  {address.line2}
                </>
              ) : null}
              <br />
              {address.postalCode} {address.city}
              {address.region ? `, ${address.region}` : ''}
              <br />
              {countryName(address.countryCode)}
            </address>
          </dd>
        </dl>
        <p>
          <Link href={`/orders/${encodeURIComponent(order.id)}`}>Follow this order live</Link>
        </p>
      </section>
      <section aria-labelledby="items-heading" className="account-card">
        <h2 id="items-heading">Items</h2>
        <table className="order-table">
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
              <dt>Discount{order.discountCode ? ` (${order.discountCode})` : ''}</dt>
              <dd>−{formatMoney(order.discount)}</dd>
            </>
          ) : null}
          <dt>Shipping</dt>
          <dd>{formatMoney(order.shipping)}</dd>
          <dt>Tax</dt>
          <dd>{formatMoney(order.tax)}</dd>
          <dt className="totals__grand">Total</dt>
          <dd className="totals__grand">{formatMoney(order.total)}</dd>
          {order.refundedAmount.amountMinor > 0 ? (
            <>
              <dt>Refunded</dt>
              <dd>{formatMoney(order.refundedAmount)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section aria-labelledby="timeline-heading" className="account-card">
        <h2 id="timeline-heading">Timeline</h2>
        <ol className="timeline">
          {order.timeline.map((step) => (
            <li key={`${step.at}-${step.to}`}>
              <strong>{statusLabel(step.to)}</strong> <time dateTime={step.at}>{formatDateTime(step.at)}</time>
              {step.reason ? <span className="muted"> — {step.reason}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </AccountShell>
  );
}

async function loadOrder(id: string, path: string) {
  const data = await personalQuery(AccountOrderQuery, path, { id });
  return data.order;
}
