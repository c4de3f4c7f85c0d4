/**
 * The router's shared response cache: public answers in Redis, shared by
 * every router instance, dropped on the owning subgraphs' change events.
 * Off unless asked for (`createRouter({ responseCache: {} })` or
 * ROUTER_RESPONSE_CACHE=on). Design and trade-offs: router/README.md.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { readEnv, readIntEnv, redisUrl } from '@commerce/config';
import { kafkaGroupId } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import type { RouterContext } from '../context.ts';
import { INVALIDATION_TOPICS } from './events.ts';
import { startInvalidator, type AppliedInvalidation, type Invalidator } from './invalidator.ts';
import { SubgraphFetchCache, type FetchCacheStats, type ServedSchema } from './fetch-cache.ts';
import { createCachePlugin, type CacheStats } from './plugin.ts';
import { ResponseStore } from './store.ts';
import { DEFAULT_TAG_RULES, type TagRules } from './tags.ts';

export type { AppliedInvalidation } from './invalidator.ts';
export type { CacheStats } from './plugin.ts';
export type { FetchCacheStats, FetchLookup, SubgraphFetchCache } from './fetch-cache.ts';

export interface ResponseCacheOptions {
  /** Default REDIS_URL. */
  redisUrl?: string;
  /**
   * Redis key prefix (ROUTER_RESPONSE_CACHE_PREFIX, default `router:rc:`).
   * Routers with one prefix share one cache and one invalidator group.
   */
  prefix?: string;
  /** Consumer group of the invalidators; default derived from the prefix (and KAFKA_GROUP_PREFIX). */
  groupId?: string;
  /** Change-event topics; default commerce.product, commerce.stock-level, commerce.user. */
  topics?: readonly string[];
  brokers?: string[];
  /** Per Redis command (ROUTER_RESPONSE_CACHE_TIMEOUT_MS, default 250): slower counts as down. */
  timeoutMs?: number;
  /** Cap on an entry's lifetime, whatever the hints say (ROUTER_RESPONSE_CACHE_MAX_TTL_SECONDS, default 300). */
  maxTtlSeconds?: number;
  rules?: TagRules;
  /** Called after each batch of events is applied to Redis. */
  onInvalidated?: (applied: AppliedInvalidation) => void;
}

export type ResponseCacheStats = CacheStats & { fetches: FetchCacheStats };

export interface ResponseCache {
  /** Whole answers (an Apollo Server plugin). */
  plugin: ApolloServerPlugin<RouterContext>;
  /** Single subgraph fetches (the router's data sources ask it). */
  fetches: SubgraphFetchCache;
  stats(): ResponseCacheStats;
  stop(): Promise<void>;
}

/** ROUTER_RESPONSE_CACHE=on|true turns it on (the other settings have defaults); anything else leaves it off. */
export function responseCacheFromEnv(): ResponseCacheOptions | false {
  const flag = readEnv('ROUTER_RESPONSE_CACHE', 'off').toLowerCase();
  return flag === 'on' || flag === 'true' || flag === '1' ? {} : false;
}

const INVALIDATOR_RETRY_MS = 5_000;

export function startResponseCache(options: ResponseCacheOptions, logger: Logger): ResponseCache {
  const prefix = options.prefix ?? readEnv('ROUTER_RESPONSE_CACHE_PREFIX', 'router:rc:');
  const store = new ResponseStore({
    redisUrl: options.redisUrl ?? redisUrl(),
    prefix,
    timeoutMs: options.timeoutMs ?? readIntEnv('ROUTER_RESPONSE_CACHE_TIMEOUT_MS', 250),
    logger,
  });
  const schema: ServedSchema = { id: '', api: undefined };
  const shared = {
    store,
    rules: options.rules ?? DEFAULT_TAG_RULES,
    maxTtlSeconds: options.maxTtlSeconds ?? readIntEnv('ROUTER_RESPONSE_CACHE_MAX_TTL_SECONDS', 300),
    schema,
    logger,
  };
  const { plugin, stats } = createCachePlugin(shared);
  const fetches = new SubgraphFetchCache(shared);

  // The router serves (uncached) while Kafka is unreachable; the invalidator keeps trying in the background.
  let stopped = false;
  let invalidator: Invalidator | undefined;
  let retry: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;
  const connect = (): void => {
    starting = startInvalidator({
      store,
      groupId: options.groupId ?? kafkaGroupId(`router-response-cache.${prefix}`),
      topics: options.topics ?? INVALIDATION_TOPICS,
      brokers: options.brokers,
      logger,
      onInvalidated: options.onInvalidated,
    }).then(
      async (started) => {
        invalidator = started;
        if (stopped) await started.stop();
      },
      (error: unknown) => {
        if (stopped) return;
        logger.warn({ err: error }, 'response cache invalidator could not start; the cache stays unused until it does');
        retry = setTimeout(connect, INVALIDATOR_RETRY_MS);
      },
    );
  };
  connect();

  return {
    plugin,
    fetches,
    stats: () => ({ ...stats(), fetches: fetches.stats() }),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await starting;
      await invalidator?.stop();
      await store.close();
    },
  };
}
