/**
 * The same shared cache, one level down: single subgraph fetches of a query
 * plan (keyed by subgraph, query text and variables, representations
 * included). It serves what the whole-answer cache cannot: an operation
 * mixing public and personal fields, such as a signed-in listing page with
 * `me`. Its public fetches (the catalog's products, the users subgraph's
 * review authors) come from Redis; only the personal one goes to its
 * subgraph.
 *
 * The rules are the whole-answer cache's (plugin.ts): public means the
 * subgraph's Cache-Control says `public` with max-age > 0 for a complete
 * answer without errors; only anonymous fetches are stored; a shopper's fetch
 * known to be public is sent without the token and shared; admins bypass.
 * Entries are tagged and invalidated like whole answers (tags.ts), and the
 * same refused-write rule closes the race with a change.
 */
import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { Identity } from '@commerce/auth';
import type { Logger } from '@commerce/observability';
import { BufferedResponse } from '../fetcher.ts';
import { audienceOf, publicMaxAge } from '../audience.ts';
import type { ResponseStore } from './store.ts';
import { fetchTagPlan, representationTags, tagsOf, type TagRules } from './tags.ts';

/** What the router knows of the supergraph it serves (set on every schema load). */
export interface ServedSchema {
  id: string;
  api: GraphQLSchema | undefined;
}

export interface SubgraphFetch {
  url: string;
  query: string;
  variables: Record<string, unknown> | undefined;
  /** The request body as it is sent: what the answer depends on besides the headers. */
  body: string;
  /** The caller, as the router verified it (null: anonymous). */
  identity: Identity | null;
}

/** A subgraph answer, as the fetcher returns it. */
export interface FetchedAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLookup =
  | { kind: 'hit'; response: BufferedResponse }
  | {
      kind: 'miss';
      /** Send without Authorization: the fetch is known public (see plugin.ts). */
      anonymous: boolean;
      /** Hand the subgraph's answer over (a clone); stores it, or remembers it is public, when it may be shared. */
      complete(answer: FetchedAnswer): Promise<void>;
    };

export interface FetchCacheOptions {
  store: ResponseStore;
  rules: TagRules;
  maxTtlSeconds: number;
  schema: ServedSchema;
  logger: Logger;
}

export interface FetchCacheStats {
  hits: number;
  misses: number;
  stores: number;
  refused: number;
}

/** Queries found not public are not looked up again for a while: no Redis round trip for `me`. */
const NOT_PUBLIC_MEMORY_MS = 60_000;
const MAX_NOT_PUBLIC = 2_000;

export class SubgraphFetchCache {
  private readonly notPublic = new Map<string, number>();
  private readonly counters: FetchCacheStats = { hits: 0, misses: 0, stores: 0, refused: 0 };

  constructor(private readonly options: FetchCacheOptions) {}

  stats(): FetchCacheStats {
    return { ...this.counters };
  }

  /** undefined: not for the cache (admins, a query found not public, Redis down, no invalidator). */
  async lookup(fetch: SubgraphFetch): Promise<FetchLookup | undefined> {
    const audience = audienceOf(fetch.identity);
    if (audience === 'other') return undefined;
    const queryKey = `${fetch.url}\n${fetch.query}`;
    const notPublicUntil = this.notPublic.get(queryKey);
    if (notPublicUntil !== undefined) {
      if (Date.now() < notPublicUntil) return undefined;
      this.notPublic.delete(queryKey);
    }
    const key = `f:${createHash('sha256').update(`${this.options.schema.id}\n${fetch.url}\n${fetch.body}`).digest('base64url')}`;
    const read = await this.options.store.read(key);
    if (!read) return undefined;
    if (read.entry) {
      const response = toResponse(fetch.url, read.entry);
      if (response) {
        this.counters.hits++;
        return { kind: 'hit', response };
      }
    }
    this.counters.misses++;
    const anonymous = audience === 'shopper' && read.publicMarker;
    const store = audience === 'anonymous' || anonymous;
    return {
      kind: 'miss',
      anonymous,
      complete: async (answer) => {
        const shared = await publicAnswer(answer);
        if (!shared) {
          if (shared === null) this.rememberNotPublic(queryKey);
          return;
        }
        if (!store) {
          await this.options.store.markPublic(key);
          return;
        }
        const ttlSeconds = Math.min(shared.maxAge, this.options.maxTtlSeconds);
        const tags = this.tagsOf(fetch, shared.data);
        if (!tags) return;
        const value = `${Date.now()} ${ttlSeconds}\n${shared.body}`;
        const stored = await this.options.store.write({ key, value, ttlMs: ttlSeconds * 1000, stamp: read.stamp, tags });
        if (stored) this.counters.stores++;
        else this.counters.refused++;
      },
    };
  }

  /** undefined when the query cannot be read against the served schema: then it is not stored. */
  private tagsOf(fetch: SubgraphFetch, data: unknown): string[] | undefined {
    const schema = this.options.schema.api;
    const plan = schema ? fetchTagPlan(schema, fetch.query, this.options.rules) : undefined;
    if (!plan) return undefined;
    return [...new Set([...tagsOf(plan, data), ...representationTags(fetch.variables, this.options.rules)])];
  }

  private rememberNotPublic(queryKey: string): void {
    if (this.notPublic.size >= MAX_NOT_PUBLIC) this.notPublic.clear();
    this.notPublic.set(queryKey, Date.now() + NOT_PUBLIC_MEMORY_MS);
  }
}

/**
 * The body, data and lifetime of a shareable answer; undefined when it is
 * not shareable this time (an error, a failure), null when the subgraph says
 * the query is not public at all.
 */
async function publicAnswer(answer: FetchedAnswer): Promise<{ body: string; data: unknown; maxAge: number } | null | undefined> {
  if (answer.status !== 200) return undefined;
  const cacheControl = answer.headers.get('cache-control') ?? '';
  const maxAge = publicMaxAge(cacheControl);
  if (maxAge === null) return null;
  const body = await answer.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || 'errors' in parsed || !('data' in parsed) || parsed.data === null) return undefined;
  return { body, data: parsed.data, maxAge };
}

/** A stored entry as the answer the subgraph gave, its lifetime counted down. */
function toResponse(url: string, entry: string): BufferedResponse | undefined {
  const newline = entry.indexOf('\n');
  const [storedAt, maxAge] = entry.slice(0, newline).split(' ').map(Number) as [number, number];
  if (newline < 0 || !Number.isFinite(storedAt) || !Number.isFinite(maxAge)) return undefined;
  const remaining = Math.max(1, maxAge - Math.floor((Date.now() - storedAt) / 1000));
  return new BufferedResponse(
    url,
    200,
    'OK',
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': `max-age=${remaining}, public` },
    Buffer.from(entry.slice(newline + 1), 'utf8'),
  );
}
