/**
 * "Only known operations, at a known cost": the safelist (safelist.ts), the
 * cost per operation and its maximum (cost.ts, cost-plugin.ts) and the shared
 * budgets (rate-limit.ts), built from options or the environment in one place
 * so that router.ts only wires them.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import { isProduction, readEnv } from '@commerce/config';
import type { Logger } from '@commerce/observability';
import { CostGuard, costLimitsFromEnv, costPlugin, type CostLimits } from './cost-plugin.ts';
import { RateLimiter, rateLimitDefaults, rateLimitFromEnv, type RateLimitOptions } from './rate-limit.ts';
import { Safelist, safelistFromEnv, type SafelistOptions } from './safelist.ts';
import type { RouterContext } from './context.ts';

export interface ProtectionOptions {
  /** Default from ROUTER_SAFELIST / ROUTER_SAFELIST_MANIFESTS; `false` is mode off. */
  safelist?: false | Partial<SafelistOptions>;
  /** Default from ROUTER_MAX_COST, ROUTER_COST_DEFAULT_LIST_SIZE, ROUTER_COST_MUTATION. */
  cost?: Partial<CostLimits>;
  /** Default from ROUTER_RATE_LIMIT* (on in production); `false` is off. */
  rateLimit?: false | Partial<RateLimitOptions>;
  /** Addresses or CIDR ranges whose X-Forwarded-For is believed (ROUTER_TRUSTED_PROXIES, comma-separated), e.g. the storefront's servers (in Kubernetes, the pod range). */
  trustedProxies?: readonly string[];
}

export interface Protection {
  safelist: Safelist;
  /** The cost, its maximum and the budgets, for the plugin (HTTP) and the subscriptions (WebSocket). */
  cost: CostGuard;
  plugin: ApolloServerPlugin<RouterContext>;
  /**
   * The client's address for its budget: the socket's, or the last
   * X-Forwarded-For hop before our trusted proxies; '' (no address budget, the
   * user's still applies) for a trusted proxy that names no client, such as
   * the storefront's server rendering for many shoppers.
   */
  clientAddress(req: IncomingMessage): string;
  stop(): Promise<void>;
}

/**
 * Defaults follow the deployment (APP_ENV=production), not the router's
 * `production` option: tests start "production" routers (no introspection)
 * without the apps' built manifests or a budget, and opt in explicitly.
 */
export function startProtection(options: ProtectionOptions, production: boolean, logger: Logger): Protection {
  const deployed = isProduction();
  const safelistOptions = options.safelist === false ? { mode: 'off' as const, manifests: [] } : { ...safelistFromEnv(deployed), ...options.safelist };
  const safelist = new Safelist(safelistOptions, logger, production);
  const limits = { ...costLimitsFromEnv(), ...options.cost };
  const rateLimit = options.rateLimit === false ? false : options.rateLimit ? { ...rateLimitDefaults(), ...options.rateLimit } : rateLimitFromEnv(deployed);
  const limiter = rateLimit ? new RateLimiter(rateLimit, logger) : undefined;
  const cost = new CostGuard(limits, limiter);
  if (limiter && limits.maxCost > Math.min(limiter.buckets.identity.capacity, limiter.buckets.ip.capacity)) {
    logger.warn({ maxCost: limits.maxCost, buckets: limiter.buckets }, 'router: ROUTER_MAX_COST is above a rate-limit bucket; such operations need a full bucket');
  }
  const trusted = trustedProxies(
    options.trustedProxies ??
      (readEnv('ROUTER_TRUSTED_PROXIES') ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
  );
  return {
    safelist,
    cost,
    plugin: costPlugin<RouterContext>(cost),
    clientAddress(req) {
      const socket = plainAddress(req.socket.remoteAddress ?? 'unknown');
      const forwarded = req.headers['x-forwarded-for'];
      if (!trusted.has(socket)) return socket;
      if (typeof forwarded !== 'string') return '';
      const hops = forwarded
        .split(',')
        .map((hop) => plainAddress(hop.trim()))
        .filter(Boolean);
      // From the right: the first hop not added by one of our proxies is the client.
      for (let i = hops.length - 1; i >= 0; i -= 1) if (!trusted.has(hops[i] as string)) return hops[i] as string;
      return '';
    },
    async stop() {
      await limiter?.stop();
    },
  };
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) as `10.0.0.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** Exact addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`). */
function trustedProxies(entries: readonly string[]): { has(address: string): boolean } {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (!isIP(address)) throw new Error(`ROUTER_TRUSTED_PROXIES: "${entry}" is not an address or a CIDR range`);
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return { has: (address) => isIP(address) !== 0 && list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4') };
}
