'use client';
import { useActionState } from 'react';
import { Field, FormMessage, SubmitButton } from '@/components/account/fields';
import { formatDateTime, statusLabel, statusTone } from '@/components/account/format';
import { OrderItems } from '@/components/orders/order-items';
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
      <OrderItems order={order} caption={`Items in order ${order.number}`} />
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
