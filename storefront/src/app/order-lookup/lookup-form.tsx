'use client';
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/components/account/fields';
import { formatDateTime, statusLabel, statusTone } from '@/components/account/format';
import { formatMoney } from '@/lib/money';
import { type LookedUpOrder, type LookupState, lookUpOrder } from './actions';

const INITIAL: LookupState = { status: 'idle' };

export function OrderLookupForm({ number }: { number?: string | undefined }) {
  const [state, action] = useActionState(lookUpOrder, INITIAL);
  return (
    <>
      <form action={action} className="account-form" noValidate>
        <FormMessage state={state} />
        <Field name="number" label="Order number" defaultValue={number} inputMode="numeric" autoComplete="off" required state={state} hint="For example 100234, from your confirmation email." />
        <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
        <SubmitButton pendingLabel="Looking…">Find order</SubmitButton>
      </form>
      {state.order ? <GuestOrder order={state.order} /> : null}
    </>
  );
}

function GuestOrder({ order }: { order: LookedUpOrder }) {
  return (
    <section className="lookup-result" aria-labelledby="lookup-order-heading">
      <h2 id="lookup-order-heading">Order #{order.number}</h2>
      <p className="order-summary-line">
        <span className={`status status--${statusTone(order.status)}`} data-testid="order-status">
          {statusLabel(order.status)}
        </span>{' '}
        <span className="muted">Placed {formatDateTime(order.placedAt)}</span>
      </p>
      {order.statusReason ? <p className="notice">{order.statusReason}</p> : null}
      <dl className="account-dl">
        <dt>Tracking number</dt>
        <dd data-testid="tracking-number">{order.trackingNumber ?? 'Not shipped yet'}</dd>
      </dl>
      <table className="order-table">
        <caption className="visually-hidden">Items in order {order.number}</caption>
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
            <dt>Discount</dt>
            <dd>−{formatMoney(order.discount)}</dd>
          </>
        ) : null}
        <dt>Shipping</dt>
        <dd>{formatMoney(order.shipping)}</dd>
        <dt>Tax</dt>
        <dd>{formatMoney(order.tax)}</dd>
        <dt className="totals__grand">Total</dt>
        <dd className="totals__grand">{formatMoney(order.total)}</dd>
      </dl>
      <h3>Timeline</h3>
      <ol className="timeline">
        {order.timeline.map((step) => (
          <li key={`${step.at}-${step.to}`}>
            <strong>{statusLabel(step.to)}</strong> <time dateTime={step.at}>{formatDateTime(step.at)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
