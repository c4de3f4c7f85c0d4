import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ProductThumb } from '@/components/cart/product-thumb';
import { countryName } from '@/components/checkout/countries';
import { guestOrder } from '@/components/checkout/guest-orders';
import { OrderStatusPanel } from '@/components/checkout/order-status-live';
import { graphql } from '@/graphql/generated';
import type { OrderPageFieldsFragment } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';
import { accessToken } from '@/lib/session';

// The shopper's own order: rendered for every request, never cached.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Your order',
  robots: { index: false, follow: false },
};

graphql(`
  fragment OrderPageFields on Order {
    ...OrderDetails
    email
    updatedAt
    shippingAddress {
      phone
    }
    lines {
      id
      variant {
        ...LineVariant
      }
    }
  }
`);

const MyOrderQuery = graphql(`
  query MyOrder($id: ID!) {
    order(id: $id) {
      ...OrderPageFields
    }
  }
`);

const GuestOrderQuery = graphql(`
  query GuestOrder($input: OrderLookupInput!) {
    orderLookup(input: $input) {
      ...OrderPageFields
    }
  }
`);

/**
 * The confirmation and status page a shopper lands on after placing an order.
 * A signed-in shopper reads their order by id; a guest's browser holds the
 * order's number and email in an httpOnly cookie (set when they placed it),
 * which is what the graph's guest lookup asks for. Anyone else: not found.
 */
export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const token = await accessToken();
  let order: OrderPageFieldsFragment | null = null;
  let guestEmail: string | null = null;
  if (token) order = (await executeGraphQL(MyOrderQuery, { variables: { id }, accessToken: token })).order ?? null;
  if (!order) {
    const guest = await guestOrder(id);
    if (guest) {
      order = (await executeGraphQL(GuestOrderQuery, { variables: { input: { number: guest.number, email: guest.email } } })).orderLookup ?? null;
      // A guest order attached to an account since (sign-up with its email) is read as the account's above.
      if (order && order.id !== id) order = null;
      if (order) guestEmail = guest.email;
    }
  }
  if (!order) notFound();

  const address = order.shippingAddress;
  return (
    <article className="order-page" aria-labelledby="order-heading">
      <header className="order-page__header">
        <h1 id="order-heading">Order #{order.number}</h1>
        <p className="muted">
          Placed{' '}
          <time dateTime={order.placedAt}>
            {new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(order.placedAt))} UTC
          </time>
        </p>
      </header>

      <OrderStatusPanel
        liveUrl={publicRouterWsUrl()}
        orderId={order.id}
        guestEmail={guestEmail}
        initial={{ status: order.status, statusReason: order.statusReason ?? null, updatedAt: order.updatedAt }}
        retryHref={`/checkout/retry?order=${encodeURIComponent(order.id)}`}
        contactEmail={order.email ?? null}
      />

      <div className="order-page__grid">
        <section aria-labelledby="order-items-heading">
          <h2 id="order-items-heading">Items</h2>
          <ul className="order-lines">
            {order.lines.map((line) => (
              <li key={line.id} className="checkout-line">
                <ProductThumb image={line.variant.product.images[0]} size={56} />
                <div>
                  <p className="checkout-line__title">{line.variant.product.name}</p>
                  <p className="muted">
                    {[
                      line.variant.options.map((option) => `${option.name}: ${option.value}`).join(' · '),
                      `${line.quantity} × ${formatMoney(line.unitPrice)}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                </div>
                <p className="checkout-line__total">{formatMoney(line.lineTotal)}</p>
              </li>
            ))}
          </ul>
        </section>
        <div className="order-page__aside">
          <section aria-labelledby="order-totals-heading" className="cart-totals">
            <h2 id="order-totals-heading">Totals</h2>
            <dl>
              <div>
                <dt>Subtotal</dt>
                <dd>{formatMoney(order.subtotal)}</dd>
              </div>
              {order.discount.amountMinor > 0 ? (
                <div>
                  <dt>Discount{order.discountCode ? ` (${order.discountCode})` : ''}</dt>
                  <dd>−{formatMoney(order.discount)}</dd>
                </div>
              ) : null}
              <div>
                <dt>Tax</dt>
                <dd>{formatMoney(order.tax)}</dd>
              </div>
              <div>
                <dt>Shipping</dt>
                <dd>{order.shipping.amountMinor === 0 ? 'Free' : formatMoney(order.shipping)}</dd>
              </div>
              <div className="cart-totals__total">
                <dt>Total</dt>
                <dd data-testid="order-total">{formatMoney(order.total)}</dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="order-address-heading">
            <h2 id="order-address-heading">Shipping to</h2>
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
              {[address.postalCode, address.city, address.region].filter(Boolean).join(' ')}
              <br />
              {countryName(address.countryCode)}
            </address>
          </section>
          {guestEmail ? (
            <section aria-labelledby="order-guest-heading">
              <h2 id="order-guest-heading">Find this order later</h2>
              <p>
                Look it up with its number <strong>{order.number}</strong> and your email at <Link href="/order-lookup">Find an order</Link>, or
                create an account with {guestEmail} to see it there.
              </p>
            </section>
          ) : null}
        </div>
      </div>
      <p>
        <Link href="/">Continue shopping</Link>
        {token ? (
          <>
            {' · '}
            <Link href="/account">Your orders</Link>
          </>
        ) : null}
      </p>
    </article>
  );
}
