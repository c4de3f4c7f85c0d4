/**
 * Cost per operation, as an Apollo Server plugin: after the operation is
 * resolved (parsed and validated, both cached by document), its requested cost
 * is computed (cost.ts: a plan per document), refused over the maximum, spent
 * from the caller's budgets (rate-limit.ts), and reported in
 * `extensions.cost` like Shopify's:
 *
 *   "cost": { "requestedQueryCost": 42, "actualQueryCost": 17,
 *             "throttleStatus": { "maximumAvailable": 2000, "currentlyAvailable": 1958, "restoreRate": 100 } }
 *
 * Over the maximum: 400 QUERY_TOO_COMPLEX with `extensions.limit: 'cost'`.
 * Over the budget: 429 RATE_LIMITED with `Retry-After` (seconds) and
 * `extensions.retryAfter`. The budget is spent by the requested cost (no refund
 * of the difference to the actual cost: one Redis call per request).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode } from 'graphql';
import { appEnv, isProduction, readEnv, readIntEnv } from '@commerce/config';
import type { Identity } from '@commerce/auth';
import { ErrorCode } from '@commerce/errors';
import { actualCost, CostCalculator, countRootFields, type CostOptions } from './cost.ts';
import type { RateLimiter, SpendResult } from './rate-limit.ts';

export interface CostLimits extends CostOptions {
  /**
   * Most requested cost of an operation that is not in the apps' manifests
   * (ROUTER_MAX_COST; default 5,000 under APP_ENV=production, else no limit).
   * Known operations are reviewed code: never refused for cost, and they spend
   * at most this much of a budget (the category trees ask for 100×100×100).
   */
  maxCost: number;
  /** Report `extensions.cost` on every answer (ROUTER_COST_EXTENSIONS=on|off; default on, off under APP_ENV=test). */
  report: boolean;
}

/** ROUTER_MAX_COST in production: 5× the storefront's heaviest operation (Departments, 861), README "Known operations, cost and rate limits". */
export const DEFAULT_MAX_COST = 5_000;

export function costLimitsFromEnv(): CostLimits {
  return {
    maxCost: readEnv('ROUTER_MAX_COST') === 'off' ? Number.POSITIVE_INFINITY : readIntEnv('ROUTER_MAX_COST', isProduction() ? DEFAULT_MAX_COST : Number.POSITIVE_INFINITY),
    defaultListSize: readIntEnv('ROUTER_COST_DEFAULT_LIST_SIZE', 10),
    mutationCost: readIntEnv('ROUTER_COST_MUTATION', 10),
    // Default on; off under APP_ENV=test, whose tests compare whole answers (the cost tests turn it on).
    report: (readEnv('ROUTER_COST_EXTENSIONS') ?? (appEnv() === 'test' ? 'off' : 'on')) !== 'off',
  };
}

/** What the plugin needs of the router's context; `clientAddress` is set by the HTTP path (absent over WebSocket, and empty for a trusted proxy that names no client: no address budget then). */
interface CostContext {
  identity: Identity | null;
  incomingHeaders?: IncomingHttpHeaders;
  clientAddress?: string;
}

/** Tells the apps' own operations (the safelist's manifests) from the rest. */
export type KnownOperations = (document: DocumentNode) => boolean;

export function costPlugin<TContext extends CostContext>(limits: CostLimits, limiter: RateLimiter | undefined, isKnown: KnownOperations): ApolloServerPlugin<TContext> {
  const calculator = new CostCalculator(limits);
  return {
    async requestDidStart() {
      let requested: number | undefined;
      let mutationRootFields = 0;
      let throttle: SpendResult['throttleStatus'] | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // Apollo Server reports that itself
          requested = calculator.cost(schema, document, operation, request.variables);
          if (operation.operation === 'mutation') mutationRootFields = countRootFields(operation.selectionSet, new Map());
          if (requested > limits.maxCost && !isKnown(document)) {
            throw new GraphQLError(`${operation.name ? `Operation "${operation.name.value}"` : 'The operation'} costs ${requested}; the limit is ${limits.maxCost}.`, {
              extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'cost', actual: requested, max: limits.maxCost, http: { status: 400 } },
            });
          }
          if (!limiter) return;
          const spent = await limiter.spend({ userId: contextValue.identity?.userId, ip: contextValue.clientAddress || undefined }, Math.min(requested, limits.maxCost));
          if (!spent) return; // Redis unavailable: fail open (rate-limit.ts)
          throttle = spent.throttleStatus;
          if (!spent.allowed) {
            // Apollo Server takes the answer's status and headers from `extensions.http` (and leaves it out of the answer).
            const extensions: Record<string, unknown> = {
              code: ErrorCode.RATE_LIMITED,
              retryAfter: spent.retryAfterSeconds,
              http: { status: 429, headers: new HeaderMap([['retry-after', String(spent.retryAfterSeconds)]]) },
            };
            const message = `Too many requests: this operation costs ${requested} and the budget has ${spent.throttleStatus.currentlyAvailable} left. Retry in ${spent.retryAfterSeconds} s.`;
            throw new GraphQLError(message, { extensions });
          }
        },
        async willSendResponse({ response }) {
          if (!limits.report || requested === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const cost: Record<string, unknown> = { requestedQueryCost: requested };
          if (result.data !== undefined) cost.actualQueryCost = actualCost(result.data, mutationRootFields, limits.mutationCost);
          if (throttle) cost.throttleStatus = throttle;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}
