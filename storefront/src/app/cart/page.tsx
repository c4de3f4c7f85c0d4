import type { Metadata } from 'next';
import { CartView, EmptyCart } from '@/components/cart/cart-view';
import { loadShopperCart } from '@/lib/cart';
import { publicRouterWsUrl } from '@/lib/config';

// The shopper's own cart: rendered for every request, never cached.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Your cart',
  description: 'The items in your cart, with totals and an estimate of tax and shipping.',
  robots: { index: false, follow: false },
  alternates: { canonical: '/cart' },
};

export default async function CartPage() {
  const { cart, signedIn } = await loadShopperCart();
  return (
    <section className="cart-page" aria-labelledby="cart-heading">
      <h1 id="cart-heading">Your cart</h1>
      {cart && (cart.lines.length > 0 || cart.savedForLater.length > 0) ? (
        <CartView cart={cart} target={{ liveUrl: publicRouterWsUrl(), cartId: cart.id, anonymous: !signedIn }} />
      ) : (
        <EmptyCart />
      )}
    </section>
  );
}
