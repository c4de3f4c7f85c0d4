/**
 * Whether a subgraph fetch may share an identical call already in flight.
 *
 * Only reads: the subgraph operation must be a query, and so must the client's
 * (a mutation's follow-up entity fetch must see its own write, not join a read
 * that started before it). Decided from the documents, never from the text
 * alone: the planner's subgraph document when the gateway exposes it, else the
 * query string parsed once and remembered.
 */
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';

/** A fetch of a client operation's query plan (not a health check or schema load). */
export type IncomingOperation<TContext extends Record<string, unknown>> = Extract<GraphQLDataSourceProcessOptions<TContext>, { incomingRequestContext: unknown }>;

export function isIncomingOperation<TContext extends Record<string, unknown>>(
  options: GraphQLDataSourceProcessOptions<TContext>,
): options is IncomingOperation<TContext> {
  return 'incomingRequestContext' in options;
}

// Subgraph query strings come from query plans: few and fixed per supergraph, and the same string
// objects on every request (so keyed by the string itself, whose hash V8 keeps). The cap only guards memory.
const MAX_REMEMBERED = 2_000;
const typeOfQueryText = new Map<string, { operationName: string | undefined; type: OperationTypeNode | undefined }>();

function operationTypeOf(document: DocumentNode, operationName: string | undefined): OperationTypeNode | undefined {
  let found: OperationTypeNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName === undefined || definition.name?.value === operationName) {
      // More than one candidate without a name to choose: unknown, so not shared.
      if (found !== undefined) return undefined;
      found = definition.operation;
    }
  }
  return found;
}

function operationTypeOfText(query: string, operationName: string | undefined): OperationTypeNode | undefined {
  const known = typeOfQueryText.get(query);
  if (known && known.operationName === operationName) return known.type;
  let type: OperationTypeNode | undefined;
  try {
    type = operationTypeOf(parse(query, { noLocation: true }), operationName);
  } catch {
    type = undefined;
  }
  if (typeOfQueryText.size >= MAX_REMEMBERED) typeOfQueryText.clear();
  typeOfQueryText.set(query, { operationName, type });
  return type;
}

/** True only when both the subgraph operation and the client operation are known to be queries. */
export function isSharableOperation<TContext extends Record<string, unknown>>(options: IncomingOperation<TContext>): boolean {
  const client = options.incomingRequestContext.operation?.operation;
  if (client !== undefined && client !== OperationTypeNode.QUERY && client !== OperationTypeNode.SUBSCRIPTION) return false;
  const { request, document } = options;
  const subgraph = document
    ? operationTypeOf(document, request.operationName)
    : request.query !== undefined
      ? operationTypeOfText(request.query, request.operationName)
      : undefined;
  return subgraph === OperationTypeNode.QUERY;
}
