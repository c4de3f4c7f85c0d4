'use client';
import Link from 'next/link';
import type { CartViewFragment } from '@/graphql/generated/graphql';
import { CartLineItem } from './cart-line-item';
import { CartTotals } from './cart-totals';
import { DiscountForm } from './discount-form';
import { type LiveCartTarget, useLiveCart } from './use-live-cart';

/**
 * The cart page's body: the server's cart, replaced by newer versions from
 * `cartUpdated`, so another tab's change shows here without a reload.
 */
export function CartView({ cart: serverCart, target }: { cart: CartViewFragment; target: LiveCartTarget }) {
  const cart = useLiveCart(target, serverCart) ?? serverCart;
  const hasLines = cart.lines.length > 0;
  const canCheckout = cart.lines.some((line) => line.available);
  return (
    <div className="cart" data-cart-id={cart.id}>
      <p className="cart__count" aria-live="polite" data-testid="cart-item-count">
        {cart.itemCount === 1 ? '1 item' : `${cart.itemCount} items`}
      </p>
      <div className="cart__layout">
        <div className="cart__main">
          {hasLines ? (
            <section aria-labelledby="cart-items-heading">
              <h2 id="cart-items-heading" className="visually-hidden">
                Items in your cart
              </h2>
              <ul className="cart-lines" aria-label="Items in your cart">
                {cart.lines.map((line) => (
                  <CartLineItem key={line.id} line={line} />
                ))}
              </ul>
            </section>
          ) : (
            <EmptyCart saved={cart.savedForLater.length} />
          )}
          {cart.savedForLater.length > 0 ? (
            <section aria-labelledby="saved-heading" className="cart__saved">
              <h2 id="saved-heading">Saved for later</h2>
              <ul className="cart-lines" aria-label="Saved for later">
                {cart.savedForLater.map((line) => (
                  <CartLineItem key={line.id} line={line} saved />
                ))}
              </ul>
            </section>
          ) : null}
        </div>
        {hasLines ? (
          <aside className="cart__summary" aria-label="Order summary">
            <CartTotals cart={cart} />
            <DiscountForm discountCode={cart.discountCode} />
            {canCheckout ? (
              <Link href="/checkout" className="button button--block">
                Checkout
              </Link>
            ) : (
              <p className="notice notice--warn">Nothing in your cart is available right now.</p>
            )}
            <p className="muted cart__note">Tax and shipping are estimates until you check out.</p>
          </aside>
        ) : null}
      </div>
    </div>
  );
}

export function EmptyCart({ saved = 0 }: { saved?: number }) {
  return (
    <div className="cart-empty">
      <p>Your cart is empty.{saved > 0 ? ' Your saved items are below.' : ''}</p>
      <p>
        <Link href="/" className="button">
          Continue shopping
        </Link>
      </p>
    </div>
  );
}
