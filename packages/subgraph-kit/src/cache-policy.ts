/**
 * The Cache-Control header of a subgraph answer, computed from the schema's
 * @cacheControl hints once per parsed operation instead of once per resolved
 * field.
 *
 * Apollo's own cache-control plugin is a willResolveField hook: Apollo then
 * wraps every field resolver and the plugin allocates a policy and closures
 * for every field of every answer. On the catalog's storefront listing
 * (~1,000 fields) that was about 2 ms of CPU per request, as much as
 * everything else together. No resolver of ours sets a dynamic hint, so the
 * policy depends on the operation only: it is computed by walking the
 * operation with Apollo's rules, and kept with the document (Apollo keeps one
 * DocumentNode per query text).
 *
 * The walk counts every field the operation selects, including those that do
 * not run for a given answer (below a null parent, in an empty list, under
 * @skip/@include): the header is Apollo's runtime answer or a stricter one
 * (a smaller max-age), never a longer-lived one.
 *
 * The one dynamic hint is federation's: `_entities` (@apollo/subgraph)
 * restricts its field by the hint of each representation's type. That part is
 * taken from the request's representations, per request.
 *
 * One rule Apollo's plugin does not have: an answer to a caller with more than
 * the CUSTOMER role (an admin, who sees drafts and archived products through
 * the same hinted fields) is never `public`.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Identity } from '@commerce/auth';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  typeFromAST,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** A hint as written in the schema (`@cacheControl(maxAge:, scope:, inheritMaxAge:)`). */
interface CacheAnnotation {
  maxAge?: number;
  scope?: CacheScope;
  inheritMaxAge?: boolean;
}

/** What an operation's answer may be cached for; maxAge undefined or 0 means not at all. */
export interface CachePolicy {
  maxAge: number | undefined;
  scope: CacheScope | undefined;
}

const UNCACHEABLE = 'no-store';
const CACHEABLE_HEADER = /^max-age=(\d+), (public|private)$/;

/** Apollo's `restrict`: the smaller max-age wins, PRIVATE sticks. */
function restrict(policy: CachePolicy, hint: CacheAnnotation): void {
  if (hint.maxAge !== undefined && (policy.maxAge === undefined || hint.maxAge < policy.maxAge)) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined && policy.scope !== 'PRIVATE') policy.scope = hint.scope;
}

/** Apollo's `replace`: given parts overwrite. */
function replace(policy: CachePolicy, hint: CacheAnnotation): void {
  if (hint.maxAge !== undefined) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined) policy.scope = hint.scope;
}

/** Apollo's reading of one `@cacheControl` directive (cacheAnnotationFromDirectives). */
function annotationOf(directives: readonly ConstDirectiveNode[] | undefined): CacheAnnotation | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const scopeValue = argument('scope');
  const scopeName = scopeValue?.kind === Kind.ENUM ? scopeValue.value : undefined;
  const scope = scopeName === 'PUBLIC' || scopeName === 'PRIVATE' ? scopeName : undefined;
  const inherit = argument('inheritMaxAge');
  if (inherit?.kind === Kind.BOOLEAN && inherit.value) return { inheritMaxAge: true, ...(scope ? { scope } : {}) };
  const maxAge = argument('maxAge');
  return { ...(maxAge?.kind === Kind.INT ? { maxAge: Number.parseInt(maxAge.value, 10) } : {}), ...(scope ? { scope } : {}) };
}

function typeAnnotation(type: GraphQLCompositeType): CacheAnnotation {
  const hint = annotationOf(type.astNode?.directives);
  if (hint) return hint;
  for (const extension of type.extensionASTNodes) {
    const extensionHint = annotationOf(extension.directives);
    if (extensionHint) return extensionHint;
  }
  return {};
}

const fieldAnnotation = (field: GraphQLField<unknown, unknown>): CacheAnnotation => annotationOf(field.astNode?.directives) ?? {};

/**
 * The hint one field adds to the answer's policy, by the rules Apollo's
 * plugin applies in willResolveField and its didResolve callback.
 */
function fieldPolicy(field: GraphQLField<unknown, unknown>, isRootField: boolean, defaultMaxAge: number): CachePolicy {
  const policy: CachePolicy = { maxAge: undefined, scope: undefined };
  const target = getNamedType(field.type);
  let inheritMaxAge = false;
  if (isCompositeType(target)) {
    const annotation = typeAnnotation(target);
    replace(policy, annotation);
    inheritMaxAge = annotation.inheritMaxAge === true;
  }
  const annotation = fieldAnnotation(field);
  if (annotation.inheritMaxAge && policy.maxAge === undefined) {
    inheritMaxAge = true;
    if (annotation.scope) replace(policy, { scope: annotation.scope });
  } else {
    replace(policy, annotation);
  }
  if (policy.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRootField)) {
    restrict(policy, { maxAge: defaultMaxAge });
  }
  return policy;
}

/** What a request's policy is made of: the static part, and the `_entities` fields whose hint depends on the representations. */
export interface OperationCacheHints {
  policy: CachePolicy;
  entities: readonly FieldNode[];
}

/** The static part of an operation's policy: every field it selects, on every object type it can meet. */
export function operationCacheHints(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  defaultMaxAge = 0,
): OperationCacheHints {
  const overall: CachePolicy = { maxAge: undefined, scope: undefined };
  const entities: FieldNode[] = [];
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  if (!operation) return { policy: overall, entities };
  const root = schema.getRootType(operation.operation);
  if (!root) return { policy: overall, entities };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // A fragment applies to an object type when its condition is that type, or an abstract type containing it.
  const applies = (condition: FragmentDefinitionNode['typeCondition'] | undefined, type: GraphQLObjectType): boolean => {
    if (!condition) return true;
    const conditionType = typeFromAST(schema, condition);
    if (!conditionType) return false;
    if (conditionType === type) return true;
    return isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };
  const visiting = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLObjectType, isRoot: boolean): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition, parent)) walk(selection.selectionSet, parent, isRoot);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // Validation rejects fragment cycles; the guard only keeps a bad document from looping.
        if (!fragment || visiting.has(fragment.name.value) || !applies(fragment.typeCondition, parent)) continue;
        visiting.add(fragment.name.value);
        walk(fragment.selectionSet, parent, isRoot);
        visiting.delete(fragment.name.value);
        continue;
      }
      // Meta fields (__typename, __schema, __type) carry no hints: Apollo does not instrument them.
      if (selection.name.value.startsWith('__')) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field) continue;
      if (isRoot && field.name === '_entities') entities.push(selection);
      else restrict(overall, fieldPolicy(field, isRoot, defaultMaxAge));
      if (!selection.selectionSet) continue;
      const target = getNamedType(field.type);
      if (isObjectType(target)) walk(selection.selectionSet, target, false);
      else if (isAbstractType(target)) {
        for (const type of schema.getPossibleTypes(target)) walk(selection.selectionSet, type, false);
      }
    }
  };
  walk(operation.selectionSet, root, true);
  return { policy: overall, entities };
}

/**
 * The request's policy: the static part, restricted by each `_entities`
 * field as @apollo/subgraph's resolver and Apollo's plugin make it: the hint
 * of every representation's type, or the default when that leaves no max-age.
 */
export function requestCachePolicy(
  schema: GraphQLSchema,
  hints: OperationCacheHints,
  variables: Readonly<Record<string, unknown>> | undefined,
  defaultMaxAge = 0,
): CachePolicy {
  if (hints.entities.length === 0) return hints.policy;
  const overall: CachePolicy = { ...hints.policy };
  for (const node of hints.entities) {
    const policy: CachePolicy = { maxAge: undefined, scope: undefined };
    const argument = node.arguments?.find((a) => a.name.value === 'representations')?.value;
    const representations = argument ? valueFromASTUntyped(argument, variables as Record<string, unknown> | undefined) : undefined;
    for (const representation of Array.isArray(representations) ? representations : []) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (type && isCompositeType(type)) restrict(policy, typeAnnotation(type));
    }
    // _Entity is an unhinted union: with no max-age from the representations it falls to the default.
    if (policy.maxAge === undefined) restrict(policy, { maxAge: defaultMaxAge });
    restrict(overall, policy);
  }
  return overall;
}

/**
 * The header Apollo's plugin sets in willSendResponse: the operation's policy,
 * narrowed by a readable header already there; `no-store` when that is not
 * cacheable or the answer has errors; undefined (leave it) when the existing
 * header cannot be read.
 */
export function cacheControlHeader(policy: CachePolicy, existing: string | undefined, answerIsCacheable: boolean): string | undefined {
  const combined: CachePolicy = { maxAge: policy.maxAge, scope: policy.scope };
  let existingUncacheable = false;
  if (existing) {
    const match = CACHEABLE_HEADER.exec(existing);
    if (existing === UNCACHEABLE) existingUncacheable = true;
    else if (!match) return undefined;
    else restrict(combined, { maxAge: Number(match[1]), scope: match[2] === 'public' ? 'PUBLIC' : 'PRIVATE' });
  }
  if (combined.maxAge === undefined || combined.maxAge === 0 || existingUncacheable || !answerIsCacheable) return UNCACHEABLE;
  return `max-age=${combined.maxAge}, ${(combined.scope ?? 'PUBLIC').toLowerCase()}`;
}

export interface CachePolicyPluginOptions<TContext> {
  /** max-age of root fields and unhinted object fields (Apollo's defaultMaxAge), default 0. */
  defaultMaxAge?: number;
  /** Whose answers are `private` whatever the hints; default: callers with any role besides CUSTOMER. */
  privateFor?: (context: TContext) => boolean;
}

/** The kit's context carries the caller's identity; anything else is anonymous here. */
function isPrivileged(context: unknown): boolean {
  const identity = (context as { identity?: Identity | null } | null)?.identity;
  return identity?.roles.some((role) => role !== 'CUSTOMER') ?? false;
}

/**
 * Replaces Apollo's cache-control plugin (pass `ApolloServerPluginCacheControlDisabled()`
 * too): same hints, same header, computed once per operation.
 */
export function cachePolicyPlugin<TContext extends BaseContext>(
  options: CachePolicyPluginOptions<TContext> = {},
): ApolloServerPlugin<TContext> {
  const defaultMaxAge = options.defaultMaxAge ?? 0;
  const privateFor = options.privateFor ?? isPrivileged;
  let schema: GraphQLSchema | undefined;
  const cache = new WeakMap<DocumentNode, Map<string, OperationCacheHints>>();
  const hintsOf = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): OperationCacheHints => {
    let byOperation = cache.get(document);
    if (!byOperation) {
      byOperation = new Map();
      cache.set(document, byOperation);
    }
    const key = operationName ?? '';
    let hints = byOperation.get(key);
    if (!hints) {
      hints = operationCacheHints(schema, document, operationName, defaultMaxAge);
      byOperation.set(key, hints);
    }
    return hints;
  };
  return {
    async serverWillStart(service) {
      schema = service.schema;
    },
    async requestDidStart() {
      return {
        async executionDidStart(requestContext) {
          // Like Apollo's plugin: a policy already restricted before execution is left as it is.
          const overall = requestContext.overallCachePolicy;
          if (overall.maxAge !== undefined || overall.scope !== undefined) return;
          if (!schema) return;
          const hints = hintsOf(schema, requestContext.document, requestContext.operationName ?? undefined);
          // Other plugins read the request's overall policy, as they would with Apollo's plugin.
          overall.restrict(requestCachePolicy(schema, hints, requestContext.request.variables, defaultMaxAge));
        },
        async willSendResponse(requestContext: GraphQLRequestContextWillSendResponse<TContext>) {
          const { response, overallCachePolicy } = requestContext;
          if (privateFor(requestContext.contextValue)) overallCachePolicy.restrict({ scope: 'PRIVATE' });
          const answerIsCacheable = response.body.kind === 'single' && !response.body.singleResult.errors;
          const header = cacheControlHeader(
            { maxAge: overallCachePolicy.maxAge, scope: overallCachePolicy.scope },
            response.http.headers.get('cache-control'),
            answerIsCacheable,
          );
          if (header) response.http.headers.set('cache-control', header);
        },
      };
    },
  };
}
