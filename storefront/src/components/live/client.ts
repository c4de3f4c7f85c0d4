'use client';
import type { Client } from 'graphql-ws';

interface LiveCredentials {
  accessToken: string | null;
  cartToken: string | null;
}

let client: Promise<Client> | undefined;
let clientUrl: string | undefined;

/** Fetches a fresh token for every (re)connection, so a dropped socket comes back signed in. */
export async function liveCredentials(): Promise<LiveCredentials> {
  const response = await fetch('/api/live-token', { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) return { accessToken: null, cartToken: null };
  return (await response.json()) as LiveCredentials;
}

/**
 * One graphql-ws connection per tab to the router, shared by every live part
 * of the page (cart badge, cart page, order status, notification bell). It
 * connects lazily, retries forever with backoff, and asks for a fresh token
 * each time it connects. A subscription never blocks rendering: the page shows
 * its server-rendered state, and live updates arrive on top. graphql-ws itself
 * is loaded only then, so it is not part of any page's first-load JavaScript.
 */
export function liveClient(url: string): Promise<Client> {
  if (client && clientUrl === url) return client;
  void client?.then((previous) => previous.dispose());
  clientUrl = url;
  client = import('graphql-ws').then(({ createClient }) =>
    createClient({
      url,
      lazy: true,
      lazyCloseTimeout: 3_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const delay = Math.min(1_000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, delay));
      },
      connectionParams: async () => {
        const { accessToken } = await liveCredentials();
        return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
      },
    }),
  );
  return client;
}

/** Calls `listener` on every (re)connection of the shared socket; returns the function that stops it. */
export function onLiveConnected(url: string, listener: () => void): () => void {
  let off: (() => void) | undefined;
  let stopped = false;
  void liveClient(url).then((live) => {
    if (!stopped) off = live.on('connected', listener);
  });
  return () => {
    stopped = true;
    off?.();
  };
}

export interface LiveSubscription<TData> {
  query: { toString(): string };
  variables?: Record<string, unknown>;
  onData: (data: TData) => void;
  onError?: (error: unknown) => void;
  onComplete?: () => void;
}

/** Subscribes and returns the unsubscribe function, for a useEffect cleanup. */
export function subscribeLive<TData>(url: string, subscription: LiveSubscription<TData>): () => void {
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  liveClient(url).then(
    (live) => {
      if (stopped) return;
      unsubscribe = live.subscribe<TData>(
        { query: subscription.query.toString(), variables: subscription.variables ?? {} },
        {
          next: (result) => {
            if (result.data) subscription.onData(result.data as TData);
            else if (result.errors) subscription.onError?.(result.errors);
          },
          error: (error) => subscription.onError?.(error),
          complete: () => subscription.onComplete?.(),
        },
      );
    },
    (error: unknown) => subscription.onError?.(error),
  );
  return () => {
    stopped = true;
    unsubscribe?.();
  };
}
