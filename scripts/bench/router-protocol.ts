/**
 * What the router benchmark's parent and its child processes say to each
 * other: which role a child plays, what it is given, and the IPC messages.
 */
import type { RouterOptions } from '@commerce/router';

/** The subgraphs a gateway talks to, by subgraph name. */
export type SubgraphUrls = Record<string, string>;

/** What the in-memory subgraphs answer: recorded from the real ones in the preflight. */
export interface Recording {
  /** `data.products` of the catalog-only listing against the real catalog. */
  products: unknown;
  /** User id → name, from the real users subgraph. */
  names: Record<string, string>;
}

/**
 * createRouter options a bench target sets on top of the bench's own. They
 * cross a process boundary as JSON, so only plain data (no logger, no callbacks).
 */
export type RouterBenchOptions = Omit<Partial<RouterOptions>, 'logger' | 'onSupergraphReload' | 'port' | 'host' | 'subgraphUrls'>;

export interface GatewayPayload {
  subgraphUrls: SubgraphUrls;
  routerOptions?: RouterBenchOptions;
}

/** Each role with what it is started with. */
export interface RolePayloads {
  users: null;
  catalog: { authorIds: string[] };
  'memory-users': Recording;
  'memory-catalog': Recording;
  router: GatewayPayload;
  bare: GatewayPayload;
  hive: GatewayPayload;
}

export type Role = keyof RolePayloads;
export type GatewayRole = Extract<Role, 'router' | 'bare' | 'hive'>;

export type ToChild = { type: 'cpu' } | { type: 'stop' };
export type FromChild = { type: 'ready'; url: string; detail?: string } | { type: 'cpu'; usage: NodeJS.CpuUsage } | { type: 'failed'; message: string };
