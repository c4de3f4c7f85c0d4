import 'server-only';

/** Where the router listens, as this server reaches it. */
export function routerUrl(): string {
  return process.env.ROUTER_URL ?? 'http://localhost:4000/graphql';
}

/** The router's graphql-ws address as the shopper's browser reaches it (PUBLIC_ROUTER_URL, else ROUTER_URL). */
export function publicRouterWsUrl(): string {
  const http = process.env.PUBLIC_ROUTER_URL ?? routerUrl();
  return http.replace(/^http/, 'ws');
}

/** This shop's public origin, for canonical URLs, sitemaps and Open Graph (no trailing slash). */
export function siteUrl(): string {
  return (process.env.STOREFRONT_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
}

export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production' && process.env.APP_ENV !== 'test' && process.env.APP_ENV !== 'development';
}

/** Seconds a cached catalog read may be stale; the bound the storefront promises for price, product and stock changes. */
export const CATALOG_REVALIDATE_SECONDS = 5;

/** Stripe's publishable key (public by design): set when the Stripe payment provider is configured; checkout then offers Stripe Elements. */
export function stripePublishableKey(): string | undefined {
  return process.env.STRIPE_PUBLISHABLE_KEY || undefined;
}

/** Shared secret for POST /api/revalidate (event-driven cache revalidation); unset turns the endpoint off. */
export function revalidateSecret(): string | undefined {
  return process.env.REVALIDATE_SECRET || undefined;
}
