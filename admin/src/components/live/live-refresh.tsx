'use client';
import type { Client } from 'graphql-ws';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

let client: Promise<Client> | undefined;

/**
 * The router ends an admin's subscriptions when the access token they were
 * opened with expires (UNAUTHENTICATED, reason TOKEN_EXPIRED; 5 minutes for
 * an admin): the socket is dropped and opened again, which fetches a fresh
 * token (src/proxy.ts renews the cookie), and the subscriptions start again.
 */
function renewClient(): void {
  const old = client;
  client = undefined;
  void old?.then((live) => live.dispose());
}

/** One graphql-ws connection per tab, with a fresh token from /api/live-token at every (re)connection. */
function liveClient(url: string): Promise<Client> {
  client ??= import('graphql-ws').then(({ createClient }) =>
    createClient({
      url,
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      connectionParams: async () => {
        const response = await fetch('/api/live-token', { cache: 'no-store', credentials: 'same-origin' });
        const { accessToken } = response.ok ? ((await response.json()) as { accessToken: string | null }) : { accessToken: null };
        return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
      },
    }),
  );
  return client;
}

/**
 * Keeps a server-rendered page current: subscribes (router, graphql-ws) and
 * re-renders the page on the server at each event (router.refresh()), so what
 * is shown is always what the graph says, through the same admin check.
 * Says when it is live, for sighted users and screen readers alike.
 */
export function LiveRefresh({
  url,
  query,
  variables,
  label,
  minIntervalMs = 0,
}: {
  url: string;
  query: string;
  variables: Record<string, unknown>;
  label: string;
  /** A list that many events touch re-renders at most this often (the last event is never dropped). */
  minIntervalMs?: number;
}) {
  const router = useRouter();
  const [state, setState] = useState<'connecting' | 'live' | 'off' | 'done'>('connecting');
  const key = JSON.stringify(variables);
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    let last = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      const wait = last + minIntervalMs - Date.now();
      if (wait <= 0) {
        last = Date.now();
        router.refresh();
      } else {
        pending ??= setTimeout(() => {
          pending = undefined;
          last = Date.now();
          router.refresh();
        }, wait);
      }
    };
    let retry: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    const start = () => {
      void liveClient(url).then((live) => {
        if (cancelled) return;
        stop = live.subscribe(
          { query, variables: JSON.parse(key) as Record<string, unknown> },
          {
            next: () => {
              setState('live');
              // orderStatusChanged starts with the order as it is now: nothing to refresh for that one.
              if (first && query.includes('orderStatusChanged')) {
                first = false;
                return;
              }
              first = false;
              refresh();
            },
            error: (error: unknown) => {
              const expired = Array.isArray(error) && error.some((e: { extensions?: { code?: string } }) => e.extensions?.code === 'UNAUTHENTICATED');
              if (!expired || cancelled) {
                setState('off');
                return;
              }
              // A fresh token, then the same subscription again; what changed meanwhile is read with a refresh.
              renewClient();
              retry = setTimeout(() => {
                start();
                router.refresh();
              }, 1_000);
            },
            complete: () => setState(query.includes('orderStatusChanged') ? 'done' : 'off'),
          },
        );
        setState('live');
      });
    };
    start();
    return () => {
      cancelled = true;
      if (pending) clearTimeout(pending);
      if (retry) clearTimeout(retry);
      stop?.();
    };
  }, [url, query, key, router, minIntervalMs]);
  return (
    <p className="live muted" role="status" data-live={state}>
      {state === 'live'
        ? `Live: ${label} update by themselves.`
        : state === 'connecting'
          ? 'Connecting for live updates…'
          : state === 'done'
            ? 'This order has reached a final status.'
            : 'Live updates are off; reload to see changes.'}
    </p>
  );
}
