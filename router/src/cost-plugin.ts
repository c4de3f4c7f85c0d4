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
 * Over the maximum: 400 QUERY_TOO_COMPLEX with `extensions.limit: 'cost'`,
 * for every operation, the apps' own included (router/test/cost.test.ts keeps
 * each of theirs under a quarter of the default maximum).
 * Over the budget: 429 RATE_LIMITED with `Retry-After` (seconds) and
 * `extensions.retryAfter`. The budget is spent by the requested cost (no refund
 * of the difference to the actual cost: one Redis call per request).
 * Subscriptions (subscriptions/server.ts) are costed by the same CostGuard
 * when they start, and report per event.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { appEnv, isProduction, readEnv, readIntEnv } from '@commerce/config';
import type { Identity } from '@commerce/auth';
import { ErrorCode } from '@commerce/errors';
import { actualCost, CostCalculator, countRootFields, type CostOptions } from './cost.ts';
import type { RateLimiter, SpendResult } from './rate-limit.ts';

export interface CostLimits extends CostOptions {
  /** Most requested cost of an operation (ROUTER_MAX_COST; default 5,000 under APP_ENV=production, else no limit). */
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

/** Whose budgets an operation spends: the signed-in user's and the client address's. */
export interface BudgetOwner {
  userId: string | undefined;
  ip: string | undefined;
}

/**
 * The requested cost of an operation against the maximum, and its spending
 * from the shared budgets: one guard for HTTP (the plugin) and subscriptions.
 */
export class CostGuard {
  private readonly calculator: CostCalculator;

  constructor(
    readonly limits: CostLimits,
    private readonly limiter?: RateLimiter,
  ) {
    this.calculator = new CostCalculator(limits);
  }

  /**
   * Spends `requested` from the owner's budgets. Over a budget: RATE_LIMITED
   * with `retryAfter` (seconds), plus what `extensions` adds for that wait (the
   * HTTP status and header). No limiter, or Redis away (fail open): allowed.
   */
  async spend(
    who: BudgetOwner,
    requested: number,
    extensions: (retryAfterSeconds: number) => Record<string, unknown> = () => ({}),
  ): Promise<{ refusal?: GraphQLError; throttle?: SpendResult['throttleStatus'] }> {
    const spent = await this.limiter?.spend(who, requested);
    if (!spent) return {};
    if (spent.allowed) return { throttle: spent.throttleStatus };
    const message = `Too many requests: this operation costs ${requested} and the budget has ${spent.throttleStatus.currentlyAvailable} left. Retry in ${spent.retryAfterSeconds} s.`;
    const refusal = new GraphQLError(message, {
      extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: spent.retryAfterSeconds, ...extensions(spent.retryAfterSeconds) },
    });
    return { refusal, throttle: spent.throttleStatus };
  }

  requested(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined): number {
    return this.calculator.cost(schema, document, operation, variables);
  }

  /** QUERY_TOO_COMPLEX (`limit: 'cost'`) when `requested` is over the maximum; `extensions` adds to it (the HTTP status). */
  refusal(operation: OperationDefinitionNode, requested: number, extensions: Record<string, unknown> = {}): GraphQLError | undefined {
    const max = this.limits.maxCost;
    if (requested <= max) return undefined;
    return new GraphQLError(`${operation.name ? `Operation "${operation.name.value}"` : 'The operation'} costs ${requested}; the limit is ${max}.`, {
      extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: 'cost', actual: requested, max, ...extensions },
    });
  }
}

export function costPlugin<TContext extends CostContext>(guard: CostGuard): ApolloServerPlugin<TContext> {
  const limits = guard.limits;
  return {
    async requestDidStart() {
      let requested: number | undefined;
      let mutationRootFields = 0;
      let throttle: SpendResult['throttleStatus'] | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // Apollo Server reports that itself
          requested = guard.requested(schema, document, operation, request.variables);
          if (operation.operation === 'mutation') mutationRootFields = countRootFields(operation.selectionSet, new Map());
          const refused = guard.refusal(operation, requested, { http: { status: 400 } });
          if (refused) throw refused;
          // Apollo Server takes the answer's status and headers from `extensions.http` (and leaves it out of the answer).
          const spent = await guard.spend({ userId: contextValue.identity?.userId, ip: contextValue.clientAddress || undefined }, requested, (retryAfter) => ({
            http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
          }));
          throttle = spent.throttle;
          if (spent.refusal) throw spent.refusal;
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
