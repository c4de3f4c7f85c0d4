/**
 * The gateways bench:router compares. A target is a gateway role plus what
 * it is started with (createRouter options, environment); adding a row, say
 * the router with an entity cache, is one entry here, like router-cached.
 *
 * Cached targets get rows of their own and never enter the peer ratios:
 * the bars compare gateways with their caches off.
 */
import type { GatewayRole, RouterBenchOptions } from './router-protocol.ts';

export interface GatewayTarget {
  /** What --targets names it by. */
  key: string;
  role: GatewayRole;
  /** Its row in the tables. */
  label: string;
  /** Passed to createRouter (role 'router' only). */
  routerOptions?: RouterBenchOptions;
  /** Added to its process's environment. */
  env?: Record<string, string>;
  /** Answers from a response or entity cache. */
  cached?: boolean;
  /** Measured when --targets is not given. */
  byDefault: boolean;
  /** One line for the legend under the tables. */
  legend: string;
}

export const targets: readonly GatewayTarget[] = [
  {
    key: 'router',
    role: 'router',
    label: 'router',
    // Off whatever ROUTER_RESPONSE_CACHE says: the peer rows compare gateways without caches.
    routerOptions: { responseCache: false },
    byDefault: true,
    legend:
      '`createRouter()` in production mode: edge auth, depth/alias/field limits, body limit, error masking, ' +
      'header and trace propagation, keep-alive subgraph client, in-flight de-duplication of subgraph requests; no response or entity cache.',
  },
  {
    key: 'router-cached',
    role: 'router',
    label: 'router, response cache on',
    // A prefix of this run's own: no entries from other stacks or earlier runs (other data, other seeds).
    routerOptions: { responseCache: { prefix: `bench:router:${process.pid}:rc:` } },
    cached: true,
    // Needs Redis, and adds a third of the run time: --targets router,router-cached,hive,bare.
    byDefault: false,
    legend: 'the same router with its Redis response cache on (public answers only), a key prefix of this run’s own.',
  },
  {
    key: 'hive',
    role: 'hive',
    label: 'Hive Gateway',
    byDefault: true,
    legend:
      '`createGatewayRuntime()` from `@graphql-hive/gateway` on node:http, default settings (in-flight ' +
      'de-duplication of subgraph requests on), told only the subgraph locations and to pass Authorization on.',
  },
  {
    key: 'bare',
    role: 'bare',
    label: 'bare @apollo/gateway',
    byDefault: true,
    legend: '`new ApolloGateway({ supergraphSdl })` + `startStandaloneServer`, default data sources that pass Authorization on, no plugins.',
  },
];

/** The reference every other target's answers are compared with. */
export const referenceKey = 'bare';

/** `--targets a,b` (or the defaults); the reference is always started, for the answer checks. */
export function selectTargets(list: string | undefined): GatewayTarget[] {
  if (list === undefined || list === '') return targets.filter((target) => target.byDefault);
  const keys = list.split(',').map((key) => key.trim());
  const unknown = keys.filter((key) => !targets.some((target) => target.key === key));
  if (unknown.length > 0) throw new Error(`unknown --targets ${unknown.join(', ')}; known: ${targets.map((target) => target.key).join(', ')}`);
  return targets.filter((target) => keys.includes(target.key));
}

export function targetByKey(key: string): GatewayTarget {
  const target = targets.find((candidate) => candidate.key === key);
  if (!target) throw new Error(`no bench target ${key}`);
  return target;
}
