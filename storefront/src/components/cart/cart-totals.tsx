import type { CartViewFragment } from '@/graphql/generated/graphql';
import { formatMoney } from '@/lib/money';

/** Subtotal, discount, estimated tax and shipping, and total, as the graph computed them (cart page and checkout). */
export function CartTotals({ cart, heading = 'Order summary' }: { cart: CartViewFragment; heading?: string }) {
  const { totals } = cart;
  return (
    <section className="cart-totals" aria-labelledby="cart-totals-heading">
      <h2 id="cart-totals-heading">{heading}</h2>
      <dl>
        <div>
          <dt>Subtotal</dt>
          <dd data-testid="cart-subtotal">{formatMoney(totals.subtotal)}</dd>
        </div>
        {totals.discount.amountMinor > 0 ? (
          <div>
            <dt>Discount{cart.discountCode ? ` (${cart.discountCode})` : ''}</dt>
            <dd data-testid="cart-discount">−{formatMoney(totals.discount)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Estimated tax</dt>
          <dd data-testid="cart-tax">{formatMoney(totals.estimatedTax)}</dd>
        </div>
        <div>
          <dt>Estimated shipping</dt>
          <dd data-testid="cart-shipping">
            {totals.estimatedShipping.amountMinor === 0 && totals.subtotal.amountMinor > 0 ? 'Free' : formatMoney(totals.estimatedShipping)}
          </dd>
        </div>
        <div className="cart-totals__total">
          <dt>Total</dt>
          <dd data-testid="cart-total">{formatMoney(totals.total)}</dd>
        </div>
      </dl>
    </section>
  );
}
