'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { CartLiveDocument, type CartLiveSubscription as CartLiveResult, type CartViewFragment } from '@/graphql/generated/graphql';
import { liveCredentials, subscribeLive } from '../live/client';

export interface LiveCartTarget {
  liveUrl: string;
  cartId: string;
  /** An anonymous cart is followed with its token (from /api/live-token); a signed-in shopper's by identity. */
  anonymous: boolean;
}

/**
 * Follows `cartUpdated` for one cart and returns the last cart it brought
 * (null until the first). Subscribing never blocks anything: the page shows
 * the server's cart meanwhile; the shared live client reconnects a dropped
 * socket, and the subscription then starts again with the cart as it is now.
 */
export function useCartUpdated(target: LiveCartTarget | null): CartViewFragment | null {
  const [live, setLive] = useState<CartViewFragment | null>(null);
  const router = useRouter();
  const liveUrl = target?.liveUrl;
  const cartId = target?.cartId;
  const anonymous = target?.anonymous ?? false;

  useEffect(() => {
    if (!liveUrl || !cartId) return;
    let unsubscribe: (() => void) | undefined;
    let cancelled = false;
    (async () => {
      let cartToken: string | null = null;
      if (anonymous) {
        // Offline or no cookie: the server-rendered cart stays; the next navigation tries again.
        cartToken = await liveCredentials()
          .then((credentials) => credentials.cartToken)
          .catch(() => null);
        if (!cartToken) return;
      }
      if (cancelled) return;
      unsubscribe = subscribeLive<CartLiveResult>(liveUrl, {
        query: CartLiveDocument,
        variables: { cartId, cartToken },
        onData: (data) => setLive(data.cartUpdated),
        onError: (error) => {
          // GraphQL errors: the cart left our reach (merged at sign-in, or expired); ask the server what it is now.
          if (Array.isArray(error)) router.refresh();
        },
      });
    })();
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, [liveUrl, cartId, anonymous, router]);

  return live && live.id === cartId ? live : null;
}

/**
 * The newest of the server-rendered cart and the live one (by `updatedAt`), so
 * a server refresh after an action and a live event may arrive in any order.
 */
export function useLiveCart(target: LiveCartTarget | null, serverCart: CartViewFragment | null): CartViewFragment | null {
  const live = useCartUpdated(target);
  return newest(serverCart, live);
}

export function newest(serverCart: CartViewFragment | null, live: CartViewFragment | null): CartViewFragment | null {
  if (!serverCart) return live;
  if (live && live.id === serverCart.id && live.updatedAt > serverCart.updatedAt) return live;
  return serverCart;
}
