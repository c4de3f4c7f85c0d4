/**
 * Query complexity limits, as one graphql-js validation rule.
 *
 * Validation runs only when Apollo Server parses a document it has not seen:
 * validated documents are kept in its document store (keyed by the query's
 * hash), so a repeated operation pays nothing here. The rule still walks each
 * fragment only once (memoised), so "fragment bombs" that expand exponentially
 * cost linear time to reject.
 */
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { ErrorCode } from '@commerce/errors';

export interface ComplexityLimits {
  /** Deepest field nesting: `{ a { b } }` has depth 2. */
  maxDepth: number;
  /** Aliased fields in an operation, fragments expanded. Aliases multiply work on one field. */
  maxAliases: number;
  /** Field selections in an operation, fragments expanded (list sizes are the subgraphs' business). */
  maxFields: number;
}

interface Cost {
  depth: number;
  fields: number;
  aliases: number;
}

const ZERO: Cost = { depth: 0, fields: 0, aliases: 0 };

/** Introspection is small, fixed and deep (ofType chains); it is governed by the introspection switch, not by these limits. */
const isIntrospectionRoot = (name: string): boolean => name === '__schema' || name === '__type';

export function complexityRule(limits: ComplexityLimits): ValidationRule {
  return (context) => ({
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const fragmentCost = new Map<string, Cost>();
      const inProgress = new Set<string>();

      const costOf = (selectionSet: SelectionSetNode): Cost => {
        let depth = 0;
        let fields = 0;
        let aliases = 0;
        for (const selection of selectionSet.selections) {
          let inner: Cost;
          if (selection.kind === Kind.FIELD) {
            if (isIntrospectionRoot(selection.name.value)) continue;
            const child = selection.selectionSet ? costOf(selection.selectionSet) : ZERO;
            inner = { depth: child.depth + 1, fields: child.fields + 1, aliases: child.aliases + (selection.alias ? 1 : 0) };
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            inner = costOf(selection.selectionSet);
          } else {
            const name = selection.name.value;
            const definition = fragments.get(name);
            // Unknown or cyclic fragments are reported by the standard rules; count them as nothing here.
            if (!definition || inProgress.has(name)) continue;
            let cached = fragmentCost.get(name);
            if (!cached) {
              inProgress.add(name);
              cached = costOf(definition.selectionSet);
              inProgress.delete(name);
              fragmentCost.set(name, cached);
            }
            inner = cached;
          }
          depth = Math.max(depth, inner.depth);
          fields += inner.fields;
          aliases += inner.aliases;
        }
        return { depth, fields, aliases };
      };

      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const cost = costOf(definition.selectionSet);
        const name = definition.name ? `Operation "${definition.name.value}"` : 'The operation';
        const problem =
          cost.depth > limits.maxDepth
            ? { limit: 'depth', actual: cost.depth, max: limits.maxDepth, message: `${name} is nested ${cost.depth} levels deep; the limit is ${limits.maxDepth}.` }
            : cost.aliases > limits.maxAliases
              ? { limit: 'aliases', actual: cost.aliases, max: limits.maxAliases, message: `${name} uses ${cost.aliases} aliases; the limit is ${limits.maxAliases}.` }
              : cost.fields > limits.maxFields
                ? { limit: 'fields', actual: cost.fields, max: limits.maxFields, message: `${name} selects ${cost.fields} fields; the limit is ${limits.maxFields}.` }
                : undefined;
        if (problem) {
          context.reportError(
            new GraphQLError(problem.message, {
              nodes: [definition],
              extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: problem.limit, actual: problem.actual, max: problem.max },
            }),
          );
        }
      }
      // Nothing below the document needs visiting.
      return false;
    },
  });
}
