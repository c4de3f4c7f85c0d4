'use client';
import Link from 'next/link';
import { type LiveCartTarget, useCartUpdated } from './use-live-cart';

function itemsLabel(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}

/** The cart link; its count starts with the server's and follows `cartUpdated` for the shopper's cart. */
export function CartBadgeLink({
  count,
  target,
  updatedAt,
}: {
  count: number | null;
  target: LiveCartTarget | null;
  updatedAt?: string;
}) {
  const live = useCartUpdated(target);
  const shown = live && (!updatedAt || live.updatedAt > updatedAt) ? live.itemCount : count;
  return (
    <Link href="/cart" className="header-link cart-badge" aria-label={shown === null ? 'Cart' : `Cart, ${itemsLabel(shown)}`}>
      <span aria-hidden="true">Cart</span>
      {shown !== null ? (
        <span className="badge cart-badge__count" aria-hidden="true" data-testid="cart-count">
          {shown}
        </span>
      ) : null}
    </Link>
  );
}
