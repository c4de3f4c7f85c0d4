'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { type OrderStatus, OrderStatusLiveDocument, type OrderStatusLiveSubscription } from '@/graphql/generated/graphql';
import { subscribeLive } from '../live/client';
import { describeStatus, isSettled } from './order-status';

interface StatusSnapshot {
  status: OrderStatus;
  statusReason: string | null;
  updatedAt: string;
}

/** While the order is unsettled the page also re-reads it from the server this often, in case the socket is down. */
const FALLBACK_REFRESH_MS = 8_000;

/**
 * The order's status in words, in a live region, following
 * `orderStatusChanged` until it settles (CONFIRMED, or a final status). It
 * starts from the server-rendered status, so it never waits on the socket,
 * and while unsettled it also re-reads the page from the server every few
 * seconds, so a socket that is down or reconnecting cannot leave it stuck.
 */
export function OrderStatusPanel({
  liveUrl,
  orderId,
  guestEmail,
  initial,
  retryHref,
  contactEmail,
}: {
  liveUrl: string;
  orderId: string;
  guestEmail: string | null;
  initial: StatusSnapshot;
  retryHref: string;
  contactEmail: string | null;
}) {
  const [live, setLive] = useState<StatusSnapshot | null>(null);
  const router = useRouter();
  const current = live && live.updatedAt >= initial.updatedAt ? live : initial;
  const settled = isSettled(current.status);

  useEffect(() => {
    if (settled) return;
    const unsubscribe = subscribeLive<OrderStatusLiveSubscription>(liveUrl, {
      query: OrderStatusLiveDocument,
      variables: { orderId, email: guestEmail },
      onData: (data) => {
        const order = data.orderStatusChanged;
        setLive({ status: order.status, statusReason: order.statusReason ?? null, updatedAt: order.updatedAt });
      },
      // The graph refused the subscription: read the status from the server now (the polling below carries on).
      onError: () => router.refresh(),
    });
    return unsubscribe;
  }, [liveUrl, orderId, guestEmail, settled, router]);

  useEffect(() => {
    if (settled) return;
    const timer = setInterval(() => router.refresh(), FALLBACK_REFRESH_MS);
    return () => clearInterval(timer);
  }, [settled, router]);

  useEffect(() => {
    // A settled status shown live: bring the rest of the page (totals, payment) up to date once.
    if (settled && live) router.refresh();
  }, [settled, live, router]);

  const { label, tone } = describeStatus(current.status);
  return (
    <section className={`order-status order-status--${tone}`} aria-labelledby="order-status-heading">
      <h2 id="order-status-heading" className="visually-hidden">
        Order status
      </h2>
      <div role="status" aria-live="polite" aria-atomic="true" data-testid="order-status" data-status={current.status}>
        <p className="order-status__label">
          {tone === 'pending' ? <span className="order-status__spinner" aria-hidden="true" /> : null}
          {label}
        </p>
        <StatusDetail status={current.status} reason={current.statusReason} contactEmail={contactEmail} />
      </div>
      {current.status === 'PAYMENT_FAILED' ? (
        <div className="order-status__actions">
          <Link href={retryHref} className="button">
            Try another card
          </Link>
          <Link href="/cart" className="button button--secondary">
            View your cart
          </Link>
        </div>
      ) : null}
      {current.status === 'CANCELLED' ? (
        <div className="order-status__actions">
          <Link href="/cart" className="button button--secondary">
            View your cart
          </Link>
        </div>
      ) : null}
    </section>
  );
}

function StatusDetail({ status, reason, contactEmail }: { status: OrderStatus; reason: string | null; contactEmail: string | null }) {
  switch (status) {
    case 'PENDING':
    case 'STOCK_RESERVED':
    case 'PAYMENT_AUTHORIZED':
      return <p className="order-status__detail">This usually takes a few seconds. You can stay on this page.</p>;
    case 'CONFIRMED':
      return (
        <p className="order-status__detail">
          Thank you! Your payment went through and your order is confirmed.
          {contactEmail ? ` We’ve sent a confirmation to ${contactEmail}.` : ''}
        </p>
      );
    case 'PAYMENT_FAILED':
      return (
        <p className="order-status__detail">
          Your card was declined, so nothing was charged. Your items are back in your cart: you can pay with another card.
        </p>
      );
    case 'CANCELLED':
      return (
        <p className="order-status__detail">
          This order was cancelled{reason ? `: ${sentence(reason)}` : '.'} Nothing was charged.
        </p>
      );
    default:
      return null;
  }
}

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
