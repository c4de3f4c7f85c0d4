export {
  createRouter,
  limitsFromEnv,
  type RouterOptions,
  type RouterLimits,
  type RouterSubscriptionOptions,
  type RunningRouter,
} from './router.ts';
export { subscriptionOptionsFromEnv, type SubscriptionOptions, type SubscriptionStats } from './subscriptions/server.ts';
export type { UpstreamOptions } from './subscriptions/upstream.ts';
export { complexityRule, type ComplexityLimits } from './limits.ts';
export { TokenCache } from './auth.ts';
export { createSubgraphFetcher, type SubgraphFetcher } from './fetcher.ts';
export { RouterDataSource } from './datasource.ts';
export { resolveSubgraphUrl } from './supergraph.ts';
export type { RouterContext } from './context.ts';
export { responseCacheFromEnv, type AppliedInvalidation, type CacheStats, type ResponseCacheOptions, type ResponseCacheStats } from './cache/index.ts';
