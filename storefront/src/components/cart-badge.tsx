import { Suspense } from 'react';
import { loadShopperCart } from '@/lib/cart';
import { CartBadgeLink } from './cart/cart-badge-link';

/**
 * The header's cart link with the number of items. The count is rendered on
 * the server (streamed, so it never holds up the page); in the browser a small
 * client part follows `cartUpdated`, so another tab's change shows at once.
 */
export function CartBadge({ liveUrl }: { liveUrl: string }) {
  return (
    <Suspense fallback={<CartBadgeLink count={null} target={null} />}>
      <CartBadgeWithCount liveUrl={liveUrl} />
    </Suspense>
  );
}

async function CartBadgeWithCount({ liveUrl }: { liveUrl: string }) {
  let shopper: Awaited<ReturnType<typeof loadShopperCart>>;
  try {
    shopper = await loadShopperCart();
  } catch {
    // The graph is down: the header still links to the cart, without a number.
    return <CartBadgeLink count={null} target={null} />;
  }
  const { cart, signedIn } = shopper;
  return (
    <CartBadgeLink
      count={cart?.itemCount ?? 0}
      target={cart ? { liveUrl, cartId: cart.id, anonymous: !signedIn } : null}
      updatedAt={cart?.updatedAt}
    />
  );
}
