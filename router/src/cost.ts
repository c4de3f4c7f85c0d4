/**
 * The cost of an operation, from the schema, in the manner of Shopify's
 * calculated query cost:
 * - a scalar or enum field costs 0; an object field costs 1 (plus what it selects);
 * - a list of objects costs (1 + its selection) per item; the item count is
 *   the field's `first`/`last` argument (literal, variable, or the schema's
 *   default for it), or that of the nearest parent connection (`products(first: 20)
 *   { edges { node } }`: edges are 20), else `defaultListSize`;
 * - each mutation root field costs `mutationCost` more.
 * Fragments and inline fragments count in full (every branch of an abstract
 * type: an upper bound). Introspection costs nothing.
 *
 * A document is compiled into a small plan once (kept per parsed document,
 * which Apollo Server reuses for a repeated query), and the plan is evaluated
 * per request with its variables: a walk over the operation's selected object
 * fields, at most ROUTER_MAX_FIELDS of them.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface CostOptions {
  /** Items assumed for a list with no `first`/`last` (ROUTER_COST_DEFAULT_LIST_SIZE). */
  defaultListSize: number;
  /** Added per mutation root field (ROUTER_COST_MUTATION). */
  mutationCost: number;
}

/** A list size: a literal, or a variable with the schema's default for the argument as fallback. */
type Size = { value: number } | { variable: string; fallback: number | undefined };

interface FieldPlan {
  list: boolean;
  /** From `first`/`last` on this field: its own item count, or (on a connection object) its lists' item count. */
  size: Size | undefined;
  children: FieldPlan[];
}

interface OperationPlan {
  fields: FieldPlan[];
  extra: number;
  /** Set when no size depends on a variable. */
  fixed: number | undefined;
}

const SIZE_ARGUMENTS = ['first', 'last'];

export class CostCalculator {
  private readonly plans = new WeakMap<DocumentNode, Map<string, OperationPlan>>();

  constructor(private readonly options: CostOptions) {}

  /** Requested cost of `operation` in `document` with these variables. */
  cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined): number {
    let byName = this.plans.get(document);
    if (!byName) {
      byName = new Map();
      this.plans.set(document, byName);
    }
    const key = operation.name?.value ?? '';
    let plan = byName.get(key);
    if (!plan) {
      plan = this.compile(schema, document, operation);
      byName.set(key, plan);
    }
    return plan.fixed ?? plan.extra + this.evaluate(plan.fields, undefined, variables ?? {});
  }

  private compile(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationPlan {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    let dependsOnVariables = false;
    // `query ($first: Int = 20)`: the operation's own default comes before the argument's.
    const variableDefaults = new Map<string, number>();
    for (const variable of operation.variableDefinitions ?? []) {
      if (variable.defaultValue?.kind === Kind.INT) variableDefaults.set(variable.variable.name.value, Number(variable.defaultValue.value));
    }

    const sizeOf = (field: GraphQLField<unknown, unknown>, node: FieldNode): Size | undefined => {
      for (const name of SIZE_ARGUMENTS) {
        const argument = node.arguments?.find((candidate) => candidate.name.value === name);
        const definition = field.args.find((candidate) => candidate.name === name);
        if (!definition) continue;
        const fallback = typeof definition.defaultValue === 'number' ? definition.defaultValue : undefined;
        if (argument) {
          const value: ValueNode = argument.value;
          if (value.kind === Kind.INT) return { value: Number(value.value) };
          if (value.kind === Kind.VARIABLE) {
            dependsOnVariables = true;
            const declared = variableDefaults.get(value.name.value);
            return { variable: value.name.value, fallback: declared ?? fallback };
          }
        } else if (fallback !== undefined) {
          return { value: fallback };
        }
      }
      return undefined;
    };

    const inProgress = new Set<string>();
    const plan = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode, into: FieldPlan[]): FieldPlan[] => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          if (!isObjectType(parent) && !isInterfaceType(parent)) continue; // unions select only __typename directly
          const field = parent.getFields()[selection.name.value];
          if (!field) continue;
          const named = getNamedType(field.type);
          if (!isCompositeType(named) || !selection.selectionSet) continue; // leaves cost nothing
          into.push({ list: isListType(getNullableType(field.type)), size: sizeOf(field, selection), children: plan(named, selection.selectionSet, []) });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          if (type && isCompositeType(type)) plan(type, selection.selectionSet, into);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || inProgress.has(fragment.name.value)) continue;
          const type = schema.getType(fragment.typeCondition.name.value);
          if (!type || !isCompositeType(type)) continue;
          inProgress.add(fragment.name.value);
          plan(type, fragment.selectionSet, into);
          inProgress.delete(fragment.name.value);
        }
      }
      return into;
    };

    const root = schema.getRootType(operation.operation);
    const fields = root ? plan(root, operation.selectionSet, []) : [];
    const rootFields = operation.operation === 'mutation' ? countRootFields(operation.selectionSet, fragments) : 0;
    const extra = rootFields * this.options.mutationCost;
    const result: OperationPlan = { fields, extra, fixed: undefined };
    if (!dependsOnVariables) result.fixed = extra + this.evaluate(fields, undefined, {});
    return result;
  }

  private evaluate(fields: readonly FieldPlan[], inherited: number | undefined, variables: Readonly<Record<string, unknown>>): number {
    let total = 0;
    for (const field of fields) {
      const own = field.size ? this.resolve(field.size, variables) : undefined;
      if (field.list) {
        const items = own ?? inherited ?? this.options.defaultListSize;
        total += items * (1 + this.evaluate(field.children, undefined, variables));
      } else {
        total += 1 + this.evaluate(field.children, own, variables);
      }
    }
    return total;
  }

  private resolve(size: Size, variables: Readonly<Record<string, unknown>>): number | undefined {
    if ('value' in size) return Math.max(0, size.value);
    const value = variables[size.variable];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
    return size.fallback ?? this.options.defaultListSize;
  }
}

function countRootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value.startsWith('__') ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, seen);
    else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) continue;
      seen.add(fragment.name.value);
      count += countRootFields(fragment.selectionSet, fragments, seen);
    }
  }
  return count;
}

/**
 * Actual cost of an answer: every object in `data` counts 1 (each list item
 * that is an object too), plus the mutation cost per root field. One walk of
 * the result, which is about to be serialised anyway.
 */
export function actualCost(data: unknown, mutationRootFields: number, mutationCost: number): number {
  if (typeof data !== 'object' || data === null) return mutationRootFields * mutationCost;
  let total = 0;
  for (const value of Object.values(data)) total += countObjects(value);
  return total + mutationRootFields * mutationCost;
}

function countObjects(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += countObjects(item);
    return total;
  }
  total = 1;
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) total += countObjects(inner);
  return total;
}

export { countRootFields };
