/**
 * Only known operations: the storefront's and the admin's operation manifests
 * (`<app>/.next/operations.json`, written by each app's
 * scripts/write-manifest.mjs from graphql-codegen's persisted documents) are
 * the list of what the router runs in production.
 *
 * A request names a known operation in one of three ways:
 * - by id, GraphQL-over-HTTP style: `documentId: "sha256:<hex>"`;
 * - by hash, Apollo APQ style: `extensions.persistedQuery.sha256Hash: "<hex>"`;
 * - as the full document (what the apps send today): it is known when its
 *   canonical print (graphql-codegen's own printer, `printExecutableGraphQLDocument`:
 *   sorted, one line) hashes to a manifest id. The canonical form of a text is
 *   remembered (bounded), so a known text costs one Map lookup after its first use.
 *
 * Modes (ROUTER_SAFELIST): `enforce` refuses the rest, `log` lets it through
 * with a warning (to roll out: watch the log, then enforce), `off` does not
 * look. A request by id is resolved to its document in every mode.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { Kind, parse, type DocumentNode } from 'graphql';
import { readEnv, repoRoot } from '@commerce/config';
import { ErrorCode } from '@commerce/errors';
import type { Logger } from '@commerce/observability';

export type SafelistMode = 'off' | 'log' | 'enforce';

export interface SafelistOptions {
  mode: SafelistMode;
  /** Manifest files (absolute, or relative to the repository root). */
  manifests: readonly string[];
}

/** Error codes: an id we do not have (400), a document not on the list (403). */
export const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';
export const OPERATION_NOT_IN_SAFELIST = ErrorCode.OPERATION_NOT_IN_SAFELIST;

const DEFAULT_MANIFESTS = ['storefront/.next/operations.json', 'admin/.next/operations.json'];

/** ROUTER_SAFELIST (off|log|enforce; default enforce in production, off elsewhere), ROUTER_SAFELIST_MANIFESTS (comma-separated). */
export function safelistFromEnv(production: boolean): SafelistOptions {
  const raw = readEnv('ROUTER_SAFELIST');
  const mode: SafelistMode = raw === 'off' || raw === 'log' || raw === 'enforce' ? raw : production ? 'enforce' : 'off';
  if (raw !== undefined && raw !== mode) throw new Error(`ROUTER_SAFELIST must be off, log or enforce (got "${raw}")`);
  const manifests = (readEnv('ROUTER_SAFELIST_MANIFESTS') ?? DEFAULT_MANIFESTS.join(','))
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  return { mode, manifests };
}

interface ManifestFile {
  algorithm?: string;
  operations: { id: string; name: string | null; document: string }[];
}

export interface KnownOperation {
  id: string;
  name: string | null;
  document: string;
  /** Which manifest it came from. */
  source: string;
}

/** Canonical text of a document, as graphql-codegen prints it into the manifests. */
export function canonicalDocument(document: DocumentNode): string {
  return printExecutableGraphQLDocument(document);
}

export const sha256Id = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function loadManifests(paths: readonly string[]): { operations: Map<string, KnownOperation>; missing: string[] } {
  const operations = new Map<string, KnownOperation>();
  const missing: string[] = [];
  for (const given of paths) {
    const path = isAbsolute(given) ? given : join(repoRoot(), given);
    if (!existsSync(path)) {
      missing.push(path);
      continue;
    }
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as ManifestFile;
    if (manifest.algorithm !== undefined && manifest.algorithm !== 'sha256') throw new Error(`${path}: unsupported manifest algorithm ${manifest.algorithm}`);
    for (const operation of manifest.operations) {
      if (sha256Id(operation.document) !== operation.id) throw new Error(`${path}: id ${operation.id} is not the sha256 of its document`);
      operations.set(operation.id, { ...operation, source: path });
    }
  }
  return { operations, missing };
}

/** What to do with one request. `body`/`search` are to be sent on (a persisted id replaced by its document). */
export type SafelistDecision =
  | { ok: true; body: unknown; search: string }
  | { ok: false; status: 400 | 403; code: string; message: string };

const MAX_REMEMBERED_TEXTS = 5_000;

export class Safelist {
  readonly mode: SafelistMode;
  private readonly operations: Map<string, KnownOperation>;
  /** Text of a full document → its manifest id (or null: not on the list). */
  private readonly texts = new Map<string, string | null>();
  private lastWarnAt = 0;
  private suppressed = 0;

  constructor(
    options: SafelistOptions,
    private readonly logger: Logger,
    private readonly production: boolean,
  ) {
    this.mode = options.mode;
    const { operations, missing } = loadManifests(options.manifests);
    this.operations = operations;
    if (missing.length > 0 && options.mode !== 'off') {
      // Enforcing with a missing manifest would refuse that app's every request: refuse to start instead, so the deploy fails visibly.
      if (options.mode === 'enforce') {
        throw new Error(`router: safelist manifest(s) missing: ${missing.join(', ')} (build the apps, or set ROUTER_SAFELIST_MANIFESTS / ROUTER_SAFELIST=log)`);
      }
      logger.error({ missing }, 'router: safelist manifest(s) missing; in log mode every operation of those apps will be logged as unknown');
    }
    for (const operation of operations.values()) this.texts.set(operation.document, operation.id);
    logger.info({ mode: options.mode, operations: operations.size, manifests: options.manifests }, 'router: safelist loaded');
  }

  get size(): number {
    return this.operations.size;
  }

  /** Decides on one HTTP request: `body` as read (POST JSON), `search` the query string (GET). */
  check(method: string, body: unknown, search: string): SafelistDecision {
    if (method.toUpperCase() === 'GET') return this.checkGet(search);
    if (!isRecord(body)) return this.unknown('The request is not a single GraphQL operation.', body, search, undefined);
    const id = requestedId(body.documentId, body.extensions);
    if (id !== undefined) {
      const known = this.operations.get(id);
      if (!known) return this.missingId(id, body, search);
      const { documentId: _documentId, extensions: _extensions, ...rest } = body;
      const extensions = withoutPersistedQuery(body.extensions);
      return { ok: true, body: { ...rest, query: known.document, ...(extensions ? { extensions } : {}) }, search };
    }
    if (this.mode === 'off') return { ok: true, body, search };
    return this.checkText(typeof body.query === 'string' ? body.query : undefined, body, search, typeof body.operationName === 'string' ? body.operationName : undefined);
  }

  private checkGet(search: string): SafelistDecision {
    const params = new URLSearchParams(search);
    let extensions: unknown;
    try {
      extensions = params.has('extensions') ? JSON.parse(params.get('extensions') ?? '') : undefined;
    } catch {
      extensions = undefined;
    }
    const id = requestedId(params.get('documentId') ?? undefined, extensions);
    if (id !== undefined) {
      const known = this.operations.get(id);
      if (!known) return this.missingId(id, undefined, search);
      params.delete('documentId');
      params.set('query', known.document);
      const rest = withoutPersistedQuery(extensions);
      if (rest === undefined) params.delete('extensions');
      else params.set('extensions', JSON.stringify(rest));
      return { ok: true, body: undefined, search: `?${params.toString()}` };
    }
    if (this.mode === 'off') return { ok: true, body: undefined, search };
    return this.checkText(params.get('query') ?? undefined, undefined, search, params.get('operationName') ?? undefined);
  }

  private checkText(query: string | undefined, body: unknown, search: string, operationName: string | undefined): SafelistDecision {
    if (query === undefined) return { ok: true, body, search }; // Apollo Server answers "no query" itself
    let id = this.texts.get(query);
    if (id === undefined) {
      id = this.canonicalId(query);
      if (this.texts.size >= MAX_REMEMBERED_TEXTS) this.texts.clear();
      this.texts.set(query, id);
    }
    if (id !== null) return { ok: true, body, search };
    if (!this.production && isIntrospectionOnly(query)) return { ok: true, body, search }; // Sandbox, codegen, IDEs in development
    return this.unknown(`Operation ${operationName ? `"${operationName}" ` : ''}is not in the safelist of known operations.`, body, search, operationName);
  }

  /** The manifest id of a text's canonical print, or null (unknown, or not parseable: Apollo reports that). */
  private canonicalId(query: string): string | null {
    try {
      const id = sha256Id(canonicalDocument(parse(query, { noLocation: true, maxTokens: 5_000 })));
      return this.operations.has(id) ? id : null;
    } catch {
      return null;
    }
  }

  private missingId(id: string, body: unknown, search: string): SafelistDecision {
    // An id cannot run without its document, in any mode. In off/log mode an APQ registration (id plus query) goes on to Apollo.
    if (this.mode !== 'enforce' && isRecord(body) && typeof body.query === 'string') return { ok: true, body, search };
    this.warn({ id }, 'router: unknown persisted operation id');
    return { ok: false, status: 400, code: PERSISTED_QUERY_NOT_FOUND, message: `No known operation has the id ${id}.` };
  }

  private unknown(message: string, body: unknown, search: string, operationName: string | undefined): SafelistDecision {
    if (this.mode === 'log') {
      this.warn({ operationName, mode: 'log' }, 'router: operation not in the safelist (allowed: ROUTER_SAFELIST=log)');
      return { ok: true, body, search };
    }
    this.warn({ operationName, mode: 'enforce' }, 'router: operation not in the safelist refused');
    return { ok: false, status: 403, code: OPERATION_NOT_IN_SAFELIST, message };
  }

  /** At most one line a second, with the count of lines left out since. */
  private warn(fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 1_000) {
      this.suppressed += 1;
      return;
    }
    this.logger.warn({ ...fields, suppressed: this.suppressed }, message);
    this.lastWarnAt = now;
    this.suppressed = 0;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `documentId` ("sha256:<hex>", or a bare hex) or APQ's `extensions.persistedQuery.sha256Hash`, as a manifest id. */
function requestedId(documentId: unknown, extensions: unknown): string | undefined {
  if (typeof documentId === 'string' && documentId) return documentId.includes(':') ? documentId : `sha256:${documentId}`;
  if (!isRecord(extensions) || !isRecord(extensions.persistedQuery)) return undefined;
  const hash = extensions.persistedQuery.sha256Hash;
  return typeof hash === 'string' && hash ? `sha256:${hash}` : undefined;
}

/** The request's extensions without `persistedQuery` (the router has supplied the document; Apollo's APQ must not re-check it). */
function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions)) return undefined;
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Only `__schema` / `__type` / `__typename` at the root: what Sandbox and codegen send. */
function isIntrospectionOnly(query: string): boolean {
  try {
    const document = parse(query, { noLocation: true, maxTokens: 5_000 });
    return document.definitions.every(
      (definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ||
        (definition.kind === Kind.OPERATION_DEFINITION &&
          definition.operation === 'query' &&
          definition.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'))),
    );
  } catch {
    return false;
  }
}
