/**
 * The whole-response cache as an Apollo Server plugin.
 *
 * What may be shared is decided by the subgraphs' schema hints, not here:
 * each subgraph's Apollo Server computes a Cache-Control header from its
 * `@cacheControl` hints, and the gateway narrows the request's cache policy
 * with every subgraph answer. Only an answer whose policy comes out public
 * with a positive maxAge, without errors, is stored: one unhinted field in any
 * subgraph (cart, orders, `me`, an admin-only field) makes the whole answer
 * uncacheable.
 *
 * Who may use it:
 *   - anonymous callers read and write;
 *   - signed-in shoppers (only the CUSTOMER role) read. When the entry is
 *     missing but the same operation with the same variables was found all
 *     public before (the `p:` marker), their request is executed without the
 *     token, as the anonymous one it is equivalent to, and stored. A hinted
 *     field is by declaration the same for every caller except admins
 *     (subgraphs/…/schema.graphql), so the shopper gets exactly their own
 *     answer. Only anonymous executions are ever stored, so a wrong hint can
 *     at worst show a shopper the anonymous view, never one shopper's data
 *     to another;
 *   - everyone else (admins see drafts and stock per warehouse) bypasses it.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContextResponseForOperation, GraphQLRequestContextWillSendResponse, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Logger } from '@commerce/observability';
import { audienceOf } from '../audience.ts';
import type { RouterContext } from '../context.ts';
import type { ServedSchema } from './fetch-cache.ts';
import type { ResponseStore } from './store.ts';
import { tagPlan, tagsOf, type TagRules } from './tags.ts';

export interface CachePluginOptions {
  store: ResponseStore;
  /** Updated here on every schema load; the fetch cache reads it too. */
  schema: ServedSchema;
  rules: TagRules;
  /** Upper bound on an entry's lifetime whatever the hints say (seconds). */
  maxTtlSeconds: number;
  logger: Logger;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Answers stored (anonymous, or a shopper's executed as anonymous). */
  stores: number;
  /** Stores refused because a tag was invalidated while the request ran. */
  refused: number;
  /** Requests that did not use the cache (admins, mutations, Redis down, no invalidator). */
  bypassed: number;
}

interface Entry {
  etag: string;
  storedAt: number;
  maxAge: number;
  data: Record<string, unknown>;
}

/** What one request will do after execution. */
interface Pending {
  key: string;
  stamp: string;
  /** store: the answer is anonymous and may be shared; mark: only remember that the operation is public. */
  action: 'store' | 'mark';
}

const NOT_PUBLIC_MEMORY_MS = 60_000;
const MAX_NOT_PUBLIC = 2_000;

/** Tells clients to revalidate (ETag) rather than trust a lifetime: they do not hear the invalidations. */
const CLIENT_CACHE_CONTROL = 'public, no-cache';


export function createCachePlugin(options: CachePluginOptions): { plugin: ApolloServerPlugin<RouterContext>; stats: () => CacheStats } {
  const { store, rules, logger } = options;
  const stats: CacheStats = { hits: 0, misses: 0, stores: 0, refused: 0, bypassed: 0 };
  // Operations found not public skip the lookup for a while (a cart or `me` query costs no Redis round trip).
  const notPublic = new Map<string, number>();
  const operationKey = (requestContext: { queryHash?: string; operationName?: string | null }): string =>
    `${requestContext.queryHash ?? ''}\n${requestContext.operationName ?? ''}`;

  const keyOf = (requestContext: GraphQLRequestContextResponseForOperation<RouterContext>): string => {
    const { request, queryHash, operationName } = requestContext;
    const variables = request.variables ? JSON.stringify(request.variables) : '';
    return createHash('sha256').update(`${options.schema.id}\n${queryHash ?? ''}\n${operationName ?? ''}\n${variables}`).digest('base64url');
  };

  const hit = (entry: Entry, requestContext: GraphQLRequestContextResponseForOperation<RouterContext>): GraphQLResponse => {
    const headers = new HeaderMap([
      ['cache-control', CLIENT_CACHE_CONTROL],
      ['etag', entry.etag],
      ['age', String(Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000)))],
      ['x-cache', 'HIT'],
    ]);
    // A client that holds this answer already gets no body.
    if (requestContext.request.http?.headers.get('if-none-match')?.includes(entry.etag)) {
      return { http: { status: 304, headers }, body: { kind: 'single', singleResult: {} } };
    }
    return { http: { headers }, body: { kind: 'single', singleResult: { data: entry.data } } };
  };

  const plugin: ApolloServerPlugin<RouterContext> = {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ coreSupergraphSdl, apiSchema }) {
          // Entries made under another supergraph are never served: the schema is part of the key.
          options.schema.id = createHash('sha256')
            .update(coreSupergraphSdl ?? String(apiSchema.toConfig().types.length))
            .digest('base64url')
            .slice(0, 16);
          options.schema.api = apiSchema;
          notPublic.clear();
        },
      };
    },

    async requestDidStart(start) {
      const audience = audienceOf(start.contextValue.identity);
      if (audience === 'other') {
        stats.bypassed++;
        return undefined;
      }
      let pending: Pending | undefined;
      let served = false;
      return {
        async responseForOperation(requestContext) {
          if (requestContext.operation.operation !== 'query') return null;
          const until = notPublic.get(operationKey(requestContext));
          if (until !== undefined && Date.now() < until) {
            stats.bypassed++;
            return null;
          }
          const key = keyOf(requestContext);
          const read = await store.read(key);
          if (!read) {
            stats.bypassed++;
            return null;
          }
          if (read.entry) {
            const entry = parseEntry(read.entry);
            if (entry) {
              stats.hits++;
              served = true;
              return hit(entry, requestContext);
            }
          }
          stats.misses++;
          if (audience === 'anonymous') pending = { key, stamp: read.stamp, action: 'store' };
          else if (read.publicMarker) {
            // Answered as the anonymous request it is equivalent to (see the top of this file).
            requestContext.contextValue.authorization = undefined;
            requestContext.contextValue.identity = null;
            pending = { key, stamp: read.stamp, action: 'store' };
          } else pending = { key, stamp: read.stamp, action: 'mark' };
          return null;
        },

        async willSendResponse(requestContext) {
          if (served || !pending) return;
          const answer = publicAnswer(requestContext);
          if (answer === null) {
            if (notPublic.size >= MAX_NOT_PUBLIC) notPublic.clear();
            notPublic.set(operationKey(requestContext), Date.now() + NOT_PUBLIC_MEMORY_MS);
          }
          if (!answer) return;
          const dataJson = JSON.stringify(answer.data);
          const etag = `W/"${createHash('sha1').update(dataJson).digest('base64url')}"`;
          const headers = requestContext.response.http.headers;
          headers.set('cache-control', CLIENT_CACHE_CONTROL);
          headers.set('etag', etag);
          headers.set('x-cache', 'MISS');
          if (pending.action === 'mark') {
            await store.markPublic(pending.key);
            return;
          }
          const ttlSeconds = Math.min(answer.maxAge, options.maxTtlSeconds);
          const tags = tagsOf(tagPlan(requestContext.schema, answer.document, answer.operation, rules), answer.data);
          const value = `{"etag":${JSON.stringify(etag)},"storedAt":${Date.now()},"maxAge":${ttlSeconds},"data":${dataJson}}`;
          const stored = await store.write({ key: pending.key, value, ttlMs: ttlSeconds * 1000, stamp: pending.stamp, tags });
          if (stored) stats.stores++;
          else {
            stats.refused++;
            logger.debug?.({ key: pending.key }, 'response cache: store refused (invalidated while the request ran, or Redis failed)');
          }
        },
      };
    },
  };
  return { plugin, stats: () => ({ ...stats }) };
}

interface PublicAnswer {
  data: Record<string, unknown>;
  maxAge: number;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * The answer when it may be shared (public, maxAge > 0, complete, no errors);
 * undefined when not this time (errors), null when the operation is not public.
 */
function publicAnswer(requestContext: GraphQLRequestContextWillSendResponse<RouterContext>): PublicAnswer | null | undefined {
  const { body } = requestContext.response;
  const { document, operation } = requestContext;
  if (body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data || !document || !operation) return undefined;
  const policy = requestContext.overallCachePolicy.policyIfCacheable();
  if (policy?.scope !== 'PUBLIC' || policy.maxAge < 1) return null;
  return { data: body.singleResult.data, maxAge: policy.maxAge, document, operation };
}

function parseEntry(raw: string): Entry | undefined {
  try {
    const entry = JSON.parse(raw) as Partial<Entry>;
    return typeof entry.etag === 'string' && typeof entry.storedAt === 'number' && typeof entry.data === 'object' && entry.data !== null
      ? (entry as Entry)
      : undefined;
  } catch {
    return undefined;
  }
}
