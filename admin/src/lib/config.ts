import 'server-only';

/** Where the router listens, as this server reaches it. The console reads and writes only through it. */
export function routerUrl(): string {
  return process.env.ROUTER_URL ?? 'http://localhost:4000/graphql';
}

/** The shop's public origin, for "view in the storefront" links (no trailing slash). */
export function storefrontUrl(): string {
  return (process.env.STOREFRONT_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
}

/** The router's graphql-ws address as the admin's browser reaches it (PUBLIC_ROUTER_URL, else ROUTER_URL). */
export function publicRouterWsUrl(): string {
  return (process.env.PUBLIC_ROUTER_URL ?? routerUrl()).replace(/^http/, 'ws');
}
