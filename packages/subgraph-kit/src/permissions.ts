import { isObjectType, isIntrospectionType, type GraphQLSchema } from 'graphql';
import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRule, IRules } from 'graphql-shield';
import { applyMiddleware, type IMiddlewareFieldMap, type IMiddlewareTypeMap } from 'graphql-middleware';
import { isAdmin as identityIsAdmin } from '@commerce/auth';
import { forbidden, unauthenticated } from '@commerce/errors';
import type { BaseContext, ShieldRules } from './types.js';

export { allow, deny };
// Composition helpers, re-exported so subgraphs depend on one permissions module.
export { rule, and, or, not, chain, race } from 'graphql-shield';

/** Any rule or logic rule (and/or/not/...), i.e. a leaf of the rule tree. */
export type ShieldRule = Extract<IRules, { resolve: unknown }>;
type RuleFieldMap = Record<string, ShieldRule>;
type RuleTypeMap = Record<string, ShieldRule | RuleFieldMap>;

/**
 * Signed in. Fails with UNAUTHENTICATED (not shield's generic FORBIDDEN) so
 * clients know to sign in or refresh the token. Rules *return* errors: a rule
 * that throws is turned into `false` by shield and reported as FORBIDDEN.
 */
export const isAuthenticated: IRule = rule('isAuthenticated', { cache: 'no_cache' })(
  (_parent: unknown, _args: unknown, ctx: BaseContext) => (ctx.identity ? true : unauthenticated()),
);

/** Signed in with the ADMIN role: UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
export const isAdmin: IRule = rule('isAdmin', { cache: 'no_cache' })(
  (_parent: unknown, _args: unknown, ctx: BaseContext) => {
    if (!ctx.identity) return unauthenticated();
    return identityIsAdmin(ctx.identity) ? true : forbidden();
  },
);

export type OwnerIdResolver<TParent, TArgs, TContext extends BaseContext> = (
  parent: TParent,
  args: TArgs,
  ctx: TContext,
) => string | null | undefined | Promise<string | null | undefined>;

/**
 * Owner-or-admin rule: `ownerOrAdmin((user: User) => user.id)` on a field of
 * User, or `ownerOrAdmin((_, args: { userId: string }) => args.userId)` on a
 * root field. Anonymous → UNAUTHENTICATED; admin → allowed; owner id equal to
 * the caller's user id → allowed; anything else (including an unknown owner) → FORBIDDEN.
 */
export function ownerOrAdmin<TParent = unknown, TArgs = Record<string, unknown>, TContext extends BaseContext = BaseContext>(
  ownerIdOf: OwnerIdResolver<TParent, TArgs, TContext>,
): IRule {
  // No cache: the answer depends on the parent object and the arguments.
  return rule({ cache: 'no_cache' })(async (parent: TParent, args: TArgs, ctx: TContext) => {
    if (!ctx.identity) return unauthenticated();
    if (identityIsAdmin(ctx.identity)) return true;
    const ownerId = await ownerIdOf(parent, args, ctx);
    return ownerId !== null && ownerId !== undefined && ownerId === ctx.identity.userId ? true : forbidden();
  });
}

const isShieldRule = (value: unknown): value is ShieldRule =>
  typeof value === 'object' && value !== null && typeof (value as { resolve?: unknown }).resolve === 'function';

/**
 * The kit's defaults merged with the subgraph's rules:
 * - every field of Mutation is denied unless the subgraph allows it;
 * - federation's `Query._entities`, `Query._service` and `_Service` are always allowed,
 *   whatever the subgraph puts on Query, or the router could not plan through us;
 * - a subgraph may pass one rule instead of a tree: it becomes the fallback for every field.
 */
export function buildRuleTree(schema: GraphQLSchema, permissions: ShieldRules | undefined): {
  tree: RuleTypeMap;
  fallbackRule: ShieldRule;
} {
  const userTree: RuleTypeMap = permissions === undefined || isShieldRule(permissions) ? {} : (permissions as RuleTypeMap);
  const fallbackRule: ShieldRule = isShieldRule(permissions) ? permissions : allow;
  const tree: RuleTypeMap = {};

  for (const [typeName, value] of Object.entries(userTree)) {
    // A type-level rule becomes a wildcard so the federation fields below can still be carved out.
    tree[typeName] = isShieldRule(value) ? { '*': value } : { ...value };
  }

  const mutationType = schema.getMutationType();
  if (mutationType) {
    const existing = tree[mutationType.name] as RuleFieldMap | undefined;
    tree[mutationType.name] = { '*': deny, ...existing };
  }

  const queryType = schema.getQueryType();
  if (queryType) {
    const fields = queryType.getFields();
    const federation: RuleFieldMap = {};
    if (fields._entities) federation._entities = allow;
    if (fields._service) federation._service = allow;
    tree[queryType.name] = { ...(tree[queryType.name] as RuleFieldMap | undefined), ...federation };
  }
  if (schema.getType('_Service')) tree._Service = allow;

  return { tree, fallbackRule };
}

/** The rule shield would apply to one field, mirroring its generator. */
function effectiveRule(tree: RuleTypeMap, fallbackRule: ShieldRule, typeName: string, fieldName: string): ShieldRule {
  const typeRule = tree[typeName];
  if (typeRule === undefined) return fallbackRule;
  if (isShieldRule(typeRule)) return typeRule;
  return typeRule[fieldName] ?? typeRule['*'] ?? fallbackRule;
}

/**
 * Applies graphql-shield with `applyMiddleware`.
 *
 * Shield wraps *every* field of every object type in an async middleware, even
 * where the rule is `allow`; that turns each scalar of each list item into a
 * promise and costs real throughput. We let shield generate its middleware and
 * then keep only the fields whose effective rule is not `allow`, so allowed
 * fields run their plain resolvers. Semantics are unchanged.
 */
export function applyPermissions(schema: GraphQLSchema, permissions: ShieldRules | undefined): GraphQLSchema {
  const { tree, fallbackRule } = buildRuleTree(schema, permissions);
  const generated = shield(tree, {
    fallbackRule,
    // AppErrors thrown by resolvers keep their codes; masking happens in formatError.
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
    debug: false,
  }).generate(schema) as IMiddlewareTypeMap;

  const guarded: IMiddlewareTypeMap = {};
  for (const [typeName, fieldMiddleware] of Object.entries(generated)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || isIntrospectionType(type) || typeof fieldMiddleware === 'function') continue;
    const kept: IMiddlewareFieldMap = {};
    for (const [fieldName, middleware] of Object.entries(fieldMiddleware)) {
      if (effectiveRule(tree, fallbackRule, typeName, fieldName) !== allow) kept[fieldName] = middleware;
    }
    if (Object.keys(kept).length > 0) guarded[typeName] = kept;
  }
  return Object.keys(guarded).length > 0 ? applyMiddleware(schema, guarded) : schema;
}
