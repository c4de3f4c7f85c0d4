import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { countryName } from '@/components/account/countries';
import { formatDateTime, statusLabel, statusTone } from '@/components/account/format';
import { OrderItems } from '@/components/orders/order-items';
import { graphql } from '@/graphql/generated';
import { personalQuery } from '@/lib/auth';
import { GraphQLRequestError } from '@/lib/graphql';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Order details', robots: { index: false } };

const AccountOrderQuery = graphql(`
  query AccountOrder($id: ID!) {
    order(id: $id) {
      ...OrderDetails
      refundedAmount {
        ...MoneyFields
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
        <OrderItems order={order} discountCode={order.discountCode} refunded={order.refundedAmount} />
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
