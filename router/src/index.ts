export { createRouter, limitsFromEnv, type RouterOptions, type RouterLimits, type RunningRouter } from './router.ts';
export { complexityRule, type ComplexityLimits } from './limits.ts';
export { TokenCache } from './auth.ts';
export { createSubgraphFetcher, type SubgraphFetcher } from './fetcher.ts';
export { RouterDataSource } from './datasource.ts';
export { resolveSubgraphUrl } from './supergraph.ts';
export type { RouterContext } from './context.ts';
