import { loadShopperCart } from '@/lib/cart';
import { CartBadgeLink } from './cart/cart-badge-link';

/**
 * The header's cart link with the number of items, rendered on the server
 * (also without JavaScript); in the browser a small client part follows
 * `cartUpdated`, so another tab's change shows at once. A shopper without a
 * cart costs no request.
 */
export async function CartBadge({ liveUrl }: { liveUrl: string }) {
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
