import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentNode, GraphQLResolveInfo, GraphQLScalarType } from 'graphql';
import type { IRules } from 'graphql-shield';
import type { Identity } from '@commerce/auth';
import type { Domain } from '@commerce/config';
import type { Logger, TraceContextHeaders } from '@commerce/observability';

/** What every subgraph request context starts from; `createContext` extends it. */
export interface BaseContext {
  /** Verified again in every subgraph from the forwarded Authorization header; null when anonymous. */
  identity: Identity | null;
  /** The caller's `x-request-id` when sane, else a fresh UUID; echoed back in the response. */
  requestId: string;
  /** pino child with requestId and the trace id. */
  logger: Logger;
  /**
   * W3C trace context to stamp on events this request publishes (traceparent/tracestate).
   * The active span when telemetry runs, else the caller's headers passed through.
   */
  traceContext: TraceContextHeaders;
  /**
   * The `Authorization` header that `identity` was verified from (absent when
   * anonymous), for a subgraph that must call another on the caller's behalf
   * (orders reading the cart). Never log it.
   */
  authorization?: string;
}

/**
 * A field resolver (or `__resolveReference`). Declared with method syntax on
 * purpose: method parameters are checked bivariantly, so a resolver may
 * annotate its own parent and argument types (`(user: UserRow, args: { id: string }, ctx)`)
 * the way Apollo's `any` allows, without `any` leaking into our types.
 */
export type FieldResolver<TContext> = {
  resolve(parent: unknown, args: unknown, context: TContext, info: GraphQLResolveInfo): unknown;
}['resolve'];

/**
 * Resolvers, typed with the subgraph's context. Same shape as @apollo/subgraph's
 * `GraphQLResolverMap` (only reachable through a dist path).
 */
export interface GraphQLResolverMap<TContext = BaseContext> {
  [typeName: string]:
    | {
        [fieldName: string]:
          | FieldResolver<TContext>
          | { requires?: string; resolve?: FieldResolver<TContext>; subscribe?: FieldResolver<TContext> };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}

/**
 * A plain HTTP endpoint next to /graphql, e.g. a payment provider's webhook.
 * Gets the body exactly as received (signature checks need the raw bytes),
 * already bounded by the server's body limit, and must answer on `res`.
 * A handler that throws gets a generic 500 with no details; the error is logged.
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, rawBody: Buffer) => Promise<void>;

/** graphql-shield rule tree: `{ Type: rule }` or `{ Type: { field: rule, '*': rule } }`. */
export type ShieldRules = IRules;

export interface SubgraphDefinition<TContext extends BaseContext = BaseContext> {
  name: Domain;
  /** loadSchema(new URL('../schema.graphql', import.meta.url)) */
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** Mutation is deny-by-default; allow each mutation explicitly. */
  permissions?: ShieldRules;
  /** Per request: DataLoaders, services. */
  createContext(base: BaseContext): TContext | Promise<TContext>;
  /** Throws when not ready (e.g. database ping). */
  ready?(): Promise<void>;
  /** Close Prisma, relay, consumers. */
  stop?(): Promise<void>;
  /**
   * Extra POST endpoints by exact path, e.g. `{ '/webhooks/stripe': handler }`.
   * Not GraphQL: no identity, no shield; the handler authenticates the caller
   * itself (a webhook checks its signature). Other methods on these paths get
   * 405. `/graphql`, `/health`, `/ready` and `/metrics` cannot be taken.
   */
  routes?: Record<string, RouteHandler>;
  /**
   * The subgraph's scrape-time readings (outbox, Kafka lag, domain gauges):
   * `domainMetrics({...})` from this package. Closed after `stop()`.
   */
  metrics?: { close(): Promise<void> };
}

export interface RunningSubgraph {
  name: string;
  port: number;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** Not ready, stop accepting, drain in-flight requests, stop Apollo, then `def.stop()`. Idempotent. */
  stop(): Promise<void>;
}
