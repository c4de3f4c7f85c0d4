/**
 * Which change events make a cached answer stale, worked out from the
 * operation (once per validated document) and the answer's data.
 *
 * Tags, each a Redis set of the entries to drop when the tag is invalidated:
 *   e:<id>     an entity of a tagged type (Product, ProductVariant, User) in the
 *              answer, found by its `id` where the operation selects it
 *   t:<Type>   the operation selects a tagged type somewhere without its `id`,
 *              so its entities cannot be named: any event of the type drops it
 *   l:<Type>   a root lookup or list reaches the type (products, search, a
 *              category's products, product(slug:)): which entities it holds, and
 *              in what order, changes when one is created or edited
 *   f:<Type.field>  a field computed from other entities' events
 *              (Product.inStock from its variants' stock levels)
 * events.ts maps each event to the tags it invalidates.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';

export interface TagRules {
  /** Types whose `id` names them in invalidation events. */
  entityTypes: ReadonlySet<string>;
  /** `Type.field` → tag, for fields that change with other entities' events. */
  fieldTags: ReadonlyMap<string, string>;
}

export const DEFAULT_TAG_RULES: TagRules = {
  entityTypes: new Set(['Product', 'ProductVariant', 'User']),
  fieldTags: new Map([['Product.inStock', 'f:Product.inStock']]),
};

export const entityTag = (id: string): string => `e:${id}`;
export const typeTag = (type: string): string => `t:${type}`;
export const listTag = (type: string): string => `l:${type}`;

/** Where entity ids sit in an answer: response keys of `id` here, and children by response key. */
interface IdPaths {
  idKeys: string[];
  children: Map<string, IdPaths>;
}

/** Everything about an operation's tags that does not depend on the answer. */
export interface TagPlan {
  staticTags: readonly string[];
  ids: IdPaths | undefined;
}

interface CompileContext {
  schema: GraphQLSchema;
  rules: TagRules;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  staticTags: Set<string>;
}

const plans = new WeakMap<OperationDefinitionNode, TagPlan>();

/** The plan of one operation; cached per validated document (Apollo Server reuses the node per query hash and schema). */
export function tagPlan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, rules: TagRules): TagPlan {
  const cached = plans.get(operation);
  if (cached) return cached;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  const context: CompileContext = { schema, rules, fragments, staticTags: new Set() };
  const ids = root ? compile(context, operation.selectionSet, root, false) : undefined;
  const plan: TagPlan = { staticTags: [...context.staticTags], ids: ids && !isEmpty(ids) ? ids : undefined };
  plans.set(operation, plan);
  return plan;
}

// Subgraph query strings come from query plans: few per supergraph. The cap only guards memory.
const MAX_FETCH_PLANS = 2_000;
const fetchPlans = new Map<string, { schema: GraphQLSchema; plan: TagPlan }>();

/** The plan of a subgraph fetch's query (as the gateway sends it), cached per query text and schema. */
export function fetchTagPlan(schema: GraphQLSchema, query: string, rules: TagRules): TagPlan | undefined {
  const cached = fetchPlans.get(query);
  if (cached?.schema === schema) return cached.plan;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return undefined;
  }
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition');
  if (!operation) return undefined;
  const plan = tagPlan(schema, document, operation, rules);
  if (fetchPlans.size >= MAX_FETCH_PLANS) fetchPlans.clear();
  fetchPlans.set(query, { schema, plan });
  return plan;
}

/** Entity tags of an entity fetch's representations (`_entities(representations:)`). */
export function representationTags(variables: Record<string, unknown> | undefined, rules: TagRules): string[] {
  const representations = variables?.representations;
  if (!Array.isArray(representations)) return [];
  const tags: string[] = [];
  for (const representation of representations) {
    if (typeof representation !== 'object' || representation === null) continue;
    const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
    if (typeof typename === 'string' && rules.entityTypes.has(typename) && typeof id === 'string') tags.push(entityTag(id));
  }
  return tags;
}

/** The plan's static tags plus the entity ids found in `data`. */
export function tagsOf(plan: TagPlan, data: unknown): string[] {
  const tags = new Set(plan.staticTags);
  if (plan.ids) collectIds(data, plan.ids, tags);
  return [...tags];
}

function collectIds(value: unknown, paths: IdPaths, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectIds(item, paths, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key of paths.idKeys) {
    const id = record[key];
    if (typeof id === 'string' || typeof id === 'number') into.add(entityTag(String(id)));
  }
  for (const [key, child] of paths.children) {
    const nested = record[key];
    if (nested !== null && nested !== undefined) collectIds(nested, child, into);
  }
}

const isEmpty = (paths: IdPaths): boolean => paths.idKeys.length === 0 && paths.children.size === 0;

/**
 * Walks one selection set on `parent`, fragments flattened into it (they
 * select on the same object), `underEntity` when a tagged entity encloses it.
 */
function compile(context: CompileContext, selectionSet: SelectionSetNode, parent: GraphQLCompositeType, underEntity: boolean): IdPaths {
  const paths: IdPaths = { idKeys: [], children: new Map() };
  const visit = (set: SelectionSetNode, type: GraphQLCompositeType, seen: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === 'InlineFragment') {
        visit(selection.selectionSet, conditionType(context.schema, selection.typeCondition?.name.value) ?? type, seen);
        continue;
      }
      if (selection.kind === 'FragmentSpread') {
        const name = selection.name.value;
        const fragment = context.fragments.get(name);
        // Validation rejects cycles; `seen` only keeps a bad document from looping here.
        if (fragment && !seen.has(name)) visit(fragment.selectionSet, conditionType(context.schema, fragment.typeCondition.name.value) ?? type, new Set([...seen, name]));
        continue;
      }
      const name = selection.name.value;
      if (name === '_entities' && type === context.schema.getQueryType() && selection.selectionSet) {
        // A subgraph's entity fetch: its entities are named by the representations (fetchTags), not by a list.
        const entities = compile(context, selection.selectionSet, type, true);
        if (!isEmpty(entities)) merge(paths.children, selection.alias?.value ?? name, entities);
        continue;
      }
      if (name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      const field = type.getFields()[name];
      if (!field) continue;
      const key = selection.alias?.value ?? name;
      if (name === 'id' && context.rules.entityTypes.has(type.name)) paths.idKeys.push(key);
      const fieldTag = context.rules.fieldTags.get(`${type.name}.${name}`);
      if (fieldTag) context.staticTags.add(fieldTag);
      const target = getNamedType(field.type);
      if (!selection.selectionSet || !isCompositeType(target)) continue;
      const entities = taggedTypesOf(context, target);
      for (const entity of entities) {
        // A lookup or list that is not inside an entity: what it holds changes when entities come and go.
        if (!underEntity) context.staticTags.add(listTag(entity));
        if (!selectsId(context, selection.selectionSet)) context.staticTags.add(typeTag(entity));
      }
      const child = compile(context, selection.selectionSet, target, underEntity || entities.length > 0);
      if (!isEmpty(child)) merge(paths.children, key, child);
    }
  };
  visit(selectionSet, parent, new Set());
  return paths;
}

function conditionType(schema: GraphQLSchema, name: string | undefined): GraphQLCompositeType | undefined {
  if (!name) return undefined;
  const type: GraphQLNamedType | undefined | null = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

/** The tagged types an object of `type` can be. */
function taggedTypesOf(context: CompileContext, type: GraphQLCompositeType): string[] {
  if (!isAbstractType(type)) return context.rules.entityTypes.has(type.name) ? [type.name] : [];
  return context.schema
    .getPossibleTypes(type)
    .map((possible) => possible.name)
    .filter((name) => context.rules.entityTypes.has(name));
}

/** Whether the selection set picks `id` itself (directly or through its fragments). */
function selectsId(context: CompileContext, set: SelectionSetNode, seen: ReadonlySet<string> = new Set()): boolean {
  return set.selections.some((selection) => {
    if (selection.kind === 'Field') return selection.name.value === 'id';
    if (selection.kind === 'InlineFragment') return selectsId(context, selection.selectionSet, seen);
    const name = selection.name.value;
    const fragment = context.fragments.get(name);
    return fragment !== undefined && !seen.has(name) && selectsId(context, fragment.selectionSet, new Set([...seen, name]));
  });
}

function merge(into: Map<string, IdPaths>, key: string, paths: IdPaths): void {
  const existing = into.get(key);
  if (!existing) {
    into.set(key, paths);
    return;
  }
  for (const idKey of paths.idKeys) if (!existing.idKeys.includes(idKey)) existing.idKeys.push(idKey);
  for (const [childKey, child] of paths.children) merge(existing.children, childKey, child);
}
