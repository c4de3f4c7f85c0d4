import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cancelOrder, fulfillOrder, markOrderDelivered, refundOrder, shipOrder } from '@/app/actions/orders';
import { ActionForm, CheckboxField, Field, MoneyField } from '@/components/form';
import { LiveRefresh } from '@/components/live/live-refresh';
import { StatusPill, TableWrap, When, humanize } from '@/components/ui';
import { AdminOrderLiveDocument } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Order' };

const AdminOrderQuery = graphql(`
  query AdminOrder($id: ID!) {
    order(id: $id) {
      id
      number
      status
      statusReason
      placedAt
      updatedAt
      email
      trackingNumber
      discountCode
      currency
      user {
        id
        name
        email
      }
      lines {
        id
        sku
        title
        quantity
        returnedQuantity
        refundedQuantity
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
      capturedAmount {
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
        phone
      }
      timeline {
        from
        to
        at
        actor
        actedBy {
          id
          name
        }
        reason
      }
      payment {
        id
        provider
        status
        declineCode
        failureReason
        authorizedAt
        capturedAt
        amount {
          amountMinor
          currency
        }
      }
      refunds {
        id
        status
        reason
        restock
        requestedAt
        completedAt
        failureReason
        amount {
          amountMinor
          currency
        }
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CANCELLABLE = new Set(['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED', 'FULFILLED']);
const REFUNDABLE = new Set(['CONFIRMED', 'FULFILLED', 'SHIPPED', 'DELIVERED']);

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { token, id: viewerId } = await requireAdmin();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const { order } = await executeGraphQL(AdminOrderQuery, { variables: { id }, accessToken: token });
  if (!order) notFound();
  const address = order.shippingAddress;
  const hidden = <input type="hidden" name="orderId" value={order.id} />;
  const refundable = order.capturedAmount.amountMinor - order.refundedAmount.amountMinor;
  const who = (step: { actor: string; actedBy?: { id: string; name: string } | null }): string => {
    if (step.actor === 'system') return 'the system';
    if (step.actor === 'guest') return 'the guest';
    if (step.actor === viewerId) return 'you';
    const name = step.actedBy?.name;
    if (step.actor === order.user?.id) return name ? `the customer (${name})` : 'the customer';
    return name ?? `an admin (${step.actor.slice(0, 8)})`;
  };
  return (
    <>
      <div className="page-head">
        <h1>Order #{order.number}</h1>
        <StatusPill status={order.status} />
        <div className="page-head__actions">
          <Link href="/orders">All orders</Link>
        </div>
      </div>
      <LiveRefresh url={publicRouterWsUrl()} query={AdminOrderLiveDocument.toString()} variables={{ orderId: order.id }} label="the status and timeline" />
      {order.statusReason ? (
        <p className={['CANCELLED', 'PAYMENT_FAILED'].includes(order.status) ? 'notice notice--warn' : 'notice'}>{order.statusReason}</p>
      ) : null}

      <section className="panel" aria-labelledby="order-actions">
        <h2 id="order-actions">Actions</h2>
        <div className="actions-grid">
          {order.status === 'CONFIRMED' ? (
            <div className="action">
              <h3>Fulfil</h3>
              <ActionForm action={fulfillOrder} submitLabel="Mark fulfilled" label="Fulfil">
              {hidden}
              <p className="muted">Packed and ready to ship.</p>
            </ActionForm>
            </div>
          ) : null}
          {order.status === 'FULFILLED' ? (
            <div className="action">
              <h3>Ship</h3>
              <ActionForm action={shipOrder} submitLabel="Ship" label="Ship">
              {hidden}
              <Field name="trackingNumber" label="Tracking number" required maxLength={100} autoComplete="off" />
            </ActionForm>
            </div>
          ) : null}
          {order.status === 'SHIPPED' ? (
            <div className="action">
              <h3>Delivered</h3>
              <ActionForm action={markOrderDelivered} submitLabel="Mark delivered" label="Mark delivered">
              {hidden}
              <p className="muted">Tracking number {order.trackingNumber}.</p>
            </ActionForm>
            </div>
          ) : null}
          {CANCELLABLE.has(order.status) ? (
            <div className="action">
              <h3>Cancel</h3>
              <ActionForm action={cancelOrder} submitLabel="Cancel order" label="Cancel order" danger confirm="Cancel this order?">
              {hidden}
              <Field name="reason" label="Reason for cancelling" required maxLength={500} />
            </ActionForm>
            </div>
          ) : null}
          {REFUNDABLE.has(order.status) && refundable > 0 ? (
            <div className="action">
              <h3>Refund</h3>
              <ActionForm action={refundOrder} submitLabel="Refund" label="Refund" danger confirm="Refund this order?">
              {hidden}
              <input type="hidden" name="refundableMinor" value={refundable} />
              <input type="hidden" name="currency" value={order.currency} />
              <Field name="reason" label="Reason for the refund" required maxLength={500} />
              <MoneyField
                name="amount"
                label="Amount (empty: everything not yet refunded)"
                currency={order.currency}
              />
              <fieldset>
                <legend>Units returned (optional)</legend>
                {order.lines
                  .filter((line) => line.returnedQuantity < line.quantity)
                  .map((line) => (
                    <Field
                      key={line.id}
                      name={`line:${line.id}`}
                      label={`${line.title} (${line.sku}), of ${line.quantity - line.returnedQuantity}`}
                      type="number"
                      min={0}
                      max={line.quantity - line.returnedQuantity}
                      step={1}
                      inputMode="numeric"
                    />
                  ))}
              </fieldset>
              <CheckboxField name="restock" label="Put the returned units back on hand" />
            </ActionForm>
            </div>
          ) : null}
        </div>
        {!['CONFIRMED', 'FULFILLED', 'SHIPPED'].includes(order.status) && !CANCELLABLE.has(order.status) && !(REFUNDABLE.has(order.status) && refundable > 0) ? (
          <p className="muted">No action is possible in status {humanize(order.status)}.</p>
        ) : null}
      </section>

      <div className="grid">
        <section className="panel" aria-labelledby="order-summary">
          <h2 id="order-summary">Summary</h2>
          <dl className="dl">
            <dt>Placed</dt>
            <dd>
              <When at={order.placedAt} />
            </dd>
            <dt>Customer</dt>
            <dd>{order.user ? `${order.user.name} (${order.user.email})` : (order.email ?? 'Guest')}</dd>
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
            <dt>Total</dt>
            <dd>
              <strong>{formatMoney(order.total)}</strong>
            </dd>
            <dt>Captured</dt>
            <dd>{formatMoney(order.capturedAmount)}</dd>
            <dt>Refunded</dt>
            <dd>{formatMoney(order.refundedAmount)}</dd>
            {order.trackingNumber ? (
              <>
                <dt>Tracking</dt>
                <dd>{order.trackingNumber}</dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="panel" aria-labelledby="order-address">
          <h2 id="order-address">Shipping address</h2>
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
            {address.countryCode}
            {address.phone ? (
              <>
                <br />
                {address.phone}
              </>
            ) : null}
          </address>
        </section>
        <section className="panel" aria-labelledby="order-payment">
          <h2 id="order-payment">Payment</h2>
          {order.payment ? (
            <dl className="dl">
              <dt>Status</dt>
              <dd>
                <StatusPill status={order.payment.status} />
              </dd>
              <dt>Provider</dt>
              <dd>{order.payment.provider}</dd>
              <dt>Amount</dt>
              <dd>{formatMoney(order.payment.amount)}</dd>
              <dt>Authorized</dt>
              <dd>
                <When at={order.payment.authorizedAt} />
              </dd>
              <dt>Captured</dt>
              <dd>
                <When at={order.payment.capturedAt} />
              </dd>
              {order.payment.declineCode || order.payment.failureReason ? (
                <>
                  <dt>Failure</dt>
                  <dd>{[order.payment.declineCode, order.payment.failureReason].filter(Boolean).join(': ')}</dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p className="muted">Payments has not seen this order yet.</p>
          )}
        </section>
      </div>

      <section aria-labelledby="order-lines">
        <h2 id="order-lines">Lines</h2>
        <TableWrap label="Order lines">
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">SKU</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Refunded · returned
                </th>
                <th scope="col" className="num">
                  Unit price
                </th>
                <th scope="col" className="num">
                  Line total
                </th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => (
                <tr key={line.id}>
                  <td>{line.title}</td>
                  <td>{line.sku}</td>
                  <td className="num">{line.quantity}</td>
                  <td className="num">
                    {line.refundedQuantity} · {line.returnedQuantity}
                  </td>
                  <td className="num">{formatMoney(line.unitPrice)}</td>
                  <td className="num">{formatMoney(line.lineTotal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <div className="grid" style={{ marginTop: '1.25rem' }}>
        <section className="panel" aria-labelledby="order-timeline">
          <h2 id="order-timeline">Timeline</h2>
          <ol className="timeline">
            {order.timeline.map((step) => (
              <li key={`${step.to}-${step.at}`}>
                <strong>{humanize(step.to)}</strong> · <When at={step.at} />
                <br />
                <span className="muted">
                  by {who(step)}
                  {step.reason ? ` — ${step.reason}` : ''}
                </span>
              </li>
            ))}
          </ol>
        </section>
        <section className="panel" aria-labelledby="order-refunds">
          <h2 id="order-refunds">Refunds</h2>
          {order.refunds.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {order.refunds.map((refund) => (
                <li key={refund.id}>
                  {formatMoney(refund.amount)} <StatusPill status={refund.status} /> — {refund.reason}
                  {refund.restock ? ' (restocked)' : ''} · <When at={refund.requestedAt} />
                  {refund.failureReason ? <span className="muted"> {refund.failureReason}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
