import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import Link from 'next/link';
import { CartTotals } from '@/components/cart/cart-totals';
import { ProductThumb } from '@/components/cart/product-thumb';
import { CheckoutForm } from '@/components/checkout/checkout-form';
import { paymentMethods } from '@/components/checkout/payment-methods';
import { checkoutProfile } from '@/components/checkout/queries';
import { loadShopperCart } from '@/lib/cart';
import { isProduction, stripePublishableKey } from '@/lib/config';
import { formatMoney } from '@/lib/money';
import { accessToken } from '@/lib/session';

// Personal (cart, address book) and a fresh idempotency key per visit: never cached.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Checkout',
  description: 'Shipping address and payment for your order.',
  robots: { index: false, follow: false },
};

export default async function CheckoutPage() {
  const token = await accessToken();
  const [{ cart }, profile] = await Promise.all([loadShopperCart(), token ? checkoutProfile(token) : Promise.resolve(null)]);
  const available = cart?.lines.filter((line) => line.available) ?? [];

  if (!cart || available.length === 0) {
    return (
      <section className="checkout-page" aria-labelledby="checkout-heading">
        <h1 id="checkout-heading">Checkout</h1>
        <div className="cart-empty">
          <p>Your cart is empty, so there is nothing to check out yet.</p>
          <p>
            <Link href="/" className="button">
              Continue shopping
            </Link>{' '}
            <Link href="/cart">View your cart</Link>
          </p>
        </div>
      </section>
    );
  }

  const method = paymentMethods({ stripePublishableKey: stripePublishableKey() })[0];
  const defaultCountry = cart.currency === 'EUR' ? 'DE' : 'US';
  return (
    <section className="checkout-page" aria-labelledby="checkout-heading">
      <h1 id="checkout-heading">Checkout</h1>
      <div className="checkout__layout">
        <div className="checkout__main">
          {method ? (
            <CheckoutForm
              signedIn={Boolean(token)}
              accountEmail={profile?.email ?? null}
              addresses={profile?.addresses ?? []}
              idempotencyKey={randomUUID()}
              method={method}
              showTestCards={!isProduction() && method.kind === 'local-card'}
              defaultCountry={defaultCountry}
            />
          ) : null}
        </div>
        <aside className="checkout__summary" aria-label="Your order">
          <h2>Your order</h2>
          <ul className="checkout-lines">
            {available.map((line) => (
              <li key={line.id} className="checkout-line">
                <ProductThumb image={line.variant.product.images[0]} size={56} />
                <div>
                  <p className="checkout-line__title">{line.variant.product.name}</p>
                  <p className="muted">
                    {[line.variant.options.map((option) => `${option.name}: ${option.value}`).join(' · '), `Qty ${line.quantity}`]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                </div>
                <p className="checkout-line__total">{formatMoney(line.lineTotal)}</p>
              </li>
            ))}
          </ul>
          {cart.lines.length > available.length ? (
            <p className="notice notice--warn">Items that are no longer available are left out of this order.</p>
          ) : null}
          <CartTotals cart={cart} heading="Totals" />
          <p className="muted">
            <Link href="/cart">Edit your cart</Link>
          </p>
        </aside>
      </div>
    </section>
  );
}
