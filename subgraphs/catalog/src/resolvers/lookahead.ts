/**
 * What a query will read below a page of products, read from its selection
 * before the products are resolved, so the relations can be loaded for the
 * whole page at once (service/product-needs.ts) and every field below
 * resolves without a promise. Only an optimisation: a relation it misses is
 * loaded by its field as before, and one it wrongly names costs a statement
 * that field would have cost anyway on the next page.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { ProductNeeds, ReviewPageArgs } from '../service/product-needs.js';

/** Field nodes selected on `type`, by field name, through fragments; @skip/@include honoured. */
function fieldsOn(info: GraphQLResolveInfo, nodes: readonly FieldNode[], type: GraphQLObjectType): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const included = (node: Parameters<typeof getDirectiveValues>[1]): boolean =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const applies = (condition: string | undefined): boolean => {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = info.schema.getType(condition);
    return isAbstractType(conditionType) && info.schema.isSubType(conditionType, type);
  };
  const visit = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const list = fields.get(selection.name.value);
        if (list) list.push(selection);
        else fields.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) visit(selection.selectionSet, seen);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (!fragment || seen.has(fragment.name.value) || !applies(fragment.typeCondition.name.value)) continue;
        visit(fragment.selectionSet, new Set(seen).add(fragment.name.value));
      }
    }
  };
  for (const node of nodes) visit(node.selectionSet, new Set());
  return fields;
}

/** Follows `path` (field names) from the resolving field down to a type, collecting the field nodes at its end. */
function descend(info: GraphQLResolveInfo, path: readonly string[]): { nodes: readonly FieldNode[]; type: GraphQLObjectType } | null {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  let type = getNamedType(info.returnType);
  for (const name of path) {
    if (!isObjectType(type)) return null;
    const field = type.getFields()[name];
    const next = fieldsOn(info, nodes, type).get(name);
    if (!field || !next) return null;
    nodes = next;
    type = getNamedType(field.type);
  }
  return isObjectType(type) ? { nodes, type } : null;
}

const NOTHING: ProductNeeds = { variants: false, images: false, category: false, reviewPages: [] };

/**
 * Needs per field (its nodes live as long as the parsed document, which
 * Apollo keeps per query text) and variable values: every item of a list
 * (the same variables object) and every request with equal variables ask alike.
 */
interface Remembered {
  variables: unknown;
  needs: ProductNeeds;
  byVariables: Map<string, ProductNeeds>;
}
const memo = new WeakMap<readonly FieldNode[], Remembered>();
const MAX_VARIABLE_SETS = 64;

function remembered(info: GraphQLResolveInfo, compute: () => ProductNeeds): ProductNeeds {
  const entry = memo.get(info.fieldNodes);
  if (entry?.variables === info.variableValues) return entry.needs;
  const key = JSON.stringify(info.variableValues);
  const byVariables = entry?.byVariables ?? new Map<string, ProductNeeds>();
  let needs = byVariables.get(key);
  if (!needs) {
    needs = compute();
    // Variables that vary without bound (a cursor, representations) must not grow the memo without bound.
    if (byVariables.size >= MAX_VARIABLE_SETS) byVariables.clear();
    byVariables.set(key, needs);
  }
  memo.set(info.fieldNodes, { variables: info.variableValues, needs, byVariables });
  return needs;
}

/**
 * What the selection reads of each product, `path` below the resolving field:
 * [] when the field returns products itself, ['edges', 'node'] for a product
 * connection.
 */
export function productNeeds(info: GraphQLResolveInfo, path: readonly string[] = []): ProductNeeds {
  return remembered(info, () => {
    const found = descend(info, path);
    return found ? productNeedsOn(info, found.nodes, found.type) : NOTHING;
  });
}

/** The same for `_entities`: what its fragments on Product read. */
export function entityProductNeeds(info: GraphQLResolveInfo): ProductNeeds {
  return remembered(info, () => {
    const product = info.schema.getType('Product');
    return isObjectType(product) ? productNeedsOn(info, info.fieldNodes, product) : NOTHING;
  });
}

function productNeedsOn(info: GraphQLResolveInfo, nodes: readonly FieldNode[], product: GraphQLObjectType): ProductNeeds {
  const fields = fieldsOn(info, nodes, product);
  const reviewsField = product.getFields().reviews;
  const reviewPages: ReviewPageArgs[] = [];
  for (const node of fields.get('reviews') ?? []) {
    if (!reviewsField) break;
    try {
      reviewPages.push(getArgumentValues(reviewsField, node, info.variableValues) as ReviewPageArgs);
    } catch {
      // Arguments graphql-js will reject itself, at the field.
    }
  }
  return {
    variants: fields.has('variants') || fields.has('priceRange'),
    images: fields.has('images'),
    category: fields.has('category'),
    reviewPages,
  };
}
