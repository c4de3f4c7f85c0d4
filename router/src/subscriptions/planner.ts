/**
 * Plans subscription operations the way the gateway plans queries.
 *
 * @apollo/gateway plans a subscription (its query planner emits a
 * `SubscriptionNode { primary, rest }`) but refuses to execute it. We build
 * the same QueryPlanner over the same supergraph SDL (the gateway's own is
 * private), lazily on the first subscription after each schema load, and keep
 * the plan and operation context of every operation document we have seen.
 */
import { buildOperationContext, type executeQueryPlan } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '@commerce/errors';
import { complexityRule, type ComplexityLimits } from '../limits.ts';

type OperationContext = Parameters<typeof executeQueryPlan>[3];

/** Everything needed to run one subscription document, computed once per document. */
export interface PreparedSubscription {
  kind: 'subscription';
  document: DocumentNode;
  operationName: string | undefined;
  /** The subgraph fetch that owns the root field: sent over graphql-ws to `primary.serviceName`. */
  primary: FetchNode;
  /** What each event needs from other subgraphs (entity fetches), if anything. */
  rest: PlanNode | undefined;
  operationContext: OperationContext;
  supergraphSchema: GraphQLSchema;
  apiSchema: Schema;
  /** The API schema as graphql-js sees it (validation, introspection in results). */
  schema: GraphQLSchema;
}

/** A query or mutation sent over the WebSocket: executed by Apollo Server like an HTTP request. */
export interface PreparedSingle {
  kind: 'single';
  document: DocumentNode;
  schema: GraphQLSchema;
}

export type Prepared = PreparedSubscription | PreparedSingle;

interface SchemaState {
  schema: GraphQLSchema;
  supergraphSdl: string;
  built?: { supergraph: Supergraph; supergraphSchema: GraphQLSchema; apiSchema: Schema; planner: QueryPlanner };
  cache: Map<string, Prepared | readonly GraphQLError[]>;
}

const MAX_CACHED_DOCUMENTS = 1_000;

export interface SubscriptionPlannerOptions {
  limits: ComplexityLimits & { maxTokens: number };
  production: boolean;
}

export class SubscriptionPlanner {
  private state: SchemaState | undefined;
  private readonly rules: readonly ValidationRule[];
  private readonly maxTokens: number;

  constructor(options: SubscriptionPlannerOptions) {
    this.maxTokens = options.limits.maxTokens;
    // The same limits as HTTP (there Apollo Server applies them), plus no introspection in production.
    this.rules = [...specifiedRules, complexityRule(options.limits), ...(options.production ? [NoSchemaIntrospectionCustomRule] : [])];
  }

  /** Called on every gateway schema load or hot reload; planning state is rebuilt on next use. */
  update(schema: GraphQLSchema, supergraphSdl: string): void {
    this.state = { schema, supergraphSdl, cache: new Map() };
  }

  get ready(): boolean {
    return this.state !== undefined;
  }

  /**
   * Parses, validates and plans an operation, or answers the errors to send
   * back (parse, validation and limit errors carry their usual codes).
   */
  prepare(query: string, operationName: string | undefined): Prepared | readonly GraphQLError[] {
    const state = this.state;
    if (!state) {
      return [new GraphQLError('The router has no schema yet. Please try again.', { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } })];
    }
    const key = `${operationName ?? ''}\n${query}`;
    const cached = state.cache.get(key);
    if (cached) return cached;
    const prepared = this.build(state, query, operationName);
    if (state.cache.size >= MAX_CACHED_DOCUMENTS) {
      // Map keeps insertion order: forget the oldest document.
      const oldest = state.cache.keys().next();
      if (!oldest.done) state.cache.delete(oldest.value);
    }
    state.cache.set(key, prepared);
    return prepared;
  }

  private build(state: SchemaState, query: string, operationName: string | undefined): Prepared | readonly GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.maxTokens });
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : 'The query could not be parsed.';
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
    }
    // Queries and mutations are validated (and limited) by Apollo Server when they run.
    if (operation.operation !== 'subscription') return { kind: 'single', document, schema: state.schema };

    const errors = validate(state.schema, document, this.rules);
    if (errors.length > 0) {
      return errors.map((error) => {
        const code = typeof error.extensions.code === 'string' ? error.extensions.code : 'GRAPHQL_VALIDATION_FAILED';
        return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code } });
      });
    }

    state.built ??= (() => {
      const supergraph = Supergraph.build(state.supergraphSdl);
      return {
        supergraph,
        supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
        apiSchema: supergraph.apiSchema(),
        planner: new QueryPlanner(supergraph),
      };
    })();
    const { apiSchema, supergraphSchema, planner } = state.built;
    const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
    const node = plan.node;
    if (node?.kind !== 'Subscription') {
      return [new GraphQLError('This subscription cannot be planned.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })];
    }
    return {
      kind: 'subscription',
      document,
      operationName,
      primary: node.primary,
      rest: node.rest,
      operationContext: buildOperationContext({ schema: state.schema, operationDocument: document, operationName }),
      supergraphSchema,
      apiSchema,
      schema: state.schema,
    };
  }
}
