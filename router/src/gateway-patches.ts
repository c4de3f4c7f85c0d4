/**
 * Two replacements inside @apollo/gateway's per-request execution, installed
 * once per process by createRouter (ROUTER_FAST_EXECUTION=false leaves the
 * gateway as published, for comparison):
 *
 * 1. executeQueryPlan rebuilds federation-internals' Operation from the
 *    client's document on every request. For the same document (Apollo
 *    Server's parsed-document cache hands back the same nodes) and the same
 *    schema, the result is the same, and execution only reads it: build it
 *    once and reuse it.
 * 2. computeResponse (shaping the merged data into the response) is replaced
 *    by ./result-shaping.ts: the same algorithm, several times cheaper.
 *
 * Both are swapped on the gateway's CommonJS module exports, which its code
 * reads at call time. They are tied to the gateway version they were written
 * against: with any other version nothing is patched and a warning is logged.
 */
import { createRequire } from 'node:module';
import type { Operation, Schema } from '@apollo/federation-internals';
import type { DefinitionNode, DocumentNode } from 'graphql';
import type { Logger } from '@commerce/observability';
import { computeResponse } from './result-shaping.ts';

const PATCHED_GATEWAY_VERSION = '2.14.4';

type OperationFromDocument = (schema: Schema, document: DocumentNode, options?: { operationName?: string; validate?: boolean }) => Operation;

const require = createRequire(import.meta.url);
const gatewayPackage = require('@apollo/gateway/package.json') as { version: string };
const resultShaping = require('@apollo/gateway/dist/resultShaping.js') as { computeResponse: typeof computeResponse };
const operations = require('@apollo/federation-internals/dist/operations.js') as { operationFromDocument: OperationFromDocument };

/** The gateway's own functions, kept for comparison (tests) and for switching back. */
export const gatewayComputeResponse = resultShaping.computeResponse;
const gatewayOperationFromDocument = operations.operationFromDocument;

interface Built {
  /** The document's other definitions (fragments), which must match by identity too. */
  rest: readonly DefinitionNode[];
  operation: Operation;
}
const builtBySchema = new WeakMap<Schema, WeakMap<DefinitionNode, Built>>();

function sameDefinitions(a: readonly DefinitionNode[], b: readonly DefinitionNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * Memoized for executeQueryPlan's call only (`validate: false`, no operation
 * name, the operation first): planning and other callers go through unchanged.
 */
const operationFromDocument: OperationFromDocument = (schema, document, options) => {
  const [first, ...rest] = document.definitions;
  if (options?.validate !== false || options.operationName !== undefined || first?.kind !== 'OperationDefinition') {
    return gatewayOperationFromDocument(schema, document, options);
  }
  let bySchema = builtBySchema.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    builtBySchema.set(schema, bySchema);
  }
  const built = bySchema.get(first);
  if (built && sameDefinitions(built.rest, rest)) return built.operation;
  const operation = gatewayOperationFromDocument(schema, document, options);
  bySchema.set(first, { rest, operation });
  return operation;
};

let installed = false;

/** Installs both replacements (idempotent). Returns whether they are in place. */
export function installGatewayPatches(logger: Logger): boolean {
  if (installed) return true;
  if (gatewayPackage.version !== PATCHED_GATEWAY_VERSION) {
    logger.warn(
      { gateway: gatewayPackage.version, expected: PATCHED_GATEWAY_VERSION },
      'router: @apollo/gateway version changed; its execution is left unpatched (re-check router/src/gateway-patches.ts)',
    );
    return false;
  }
  resultShaping.computeResponse = computeResponse;
  operations.operationFromDocument = operationFromDocument;
  installed = true;
  return true;
}
