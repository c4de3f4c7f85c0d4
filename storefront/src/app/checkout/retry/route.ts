import { type NextRequest, NextResponse } from 'next/server';
import { guestOrder } from '@/components/checkout/guest-orders';
import { loadAnonymousCart, loadCart } from '@/lib/cart';
import { saveAnonymousCart } from '@/lib/session';

export const dynamic = 'force-dynamic';

const WAIT_FOR_RESTORE_MS = 6_000;
const POLL_MS = 300;

/**
 * "Try another card" after a declined payment. The order's lines come back
 * into the same cart (the cart subgraph restores it on order.cancelled); for
 * a guest that is the anonymous cart whose cookie was cleared at placement,
 * so it is handed back from the guest-order cookie. Waits briefly for the
 * restore to land, then goes to /checkout, which makes a new idempotency key.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  const orderId = request.nextUrl.searchParams.get('order') ?? '';
  const guest = orderId ? await guestOrder(orderId) : undefined;
  if (guest) await saveAnonymousCart({ cartId: guest.cartId, cartToken: guest.cartToken });

  const deadline = Date.now() + WAIT_FOR_RESTORE_MS;
  while (Date.now() < deadline) {
    const cart = await loadCartFor(guest).catch(() => null);
    if (cart && cart.itemCount > 0) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // A relative Location: request.url names the host Next listens on (localhost), not the one the
  // shopper used, and the restored cart's cookie must reach the same host.
  return new NextResponse(null, { status: 303, headers: { location: '/checkout' } });
}

async function loadCartFor(guest: { cartId: string; cartToken: string } | undefined) {
  // The cookie set above reaches the browser with the response: read the guest's cart by its token directly.
  return guest ? loadAnonymousCart(guest) : loadCart();
}
