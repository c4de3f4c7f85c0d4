/** What the checkout benchmark's parent and its service processes say to each other over IPC. */

export const SUBGRAPHS = ['users', 'catalog', 'cart', 'orders', 'payments', 'inventory'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];
export type ServiceRole = SubgraphName | 'router';

/** Consumer groups of the saga (each subgraph's default group name; the run's KAFKA_GROUP_PREFIX scopes them). */
export const SAGA_CONSUMER_GROUPS = ['cart', 'orders', 'payments', 'inventory'] as const;

export interface AdminCredentials {
  email: string;
  password: string;
}

/** Start-up settings of one service process (passed as --payload JSON). */
export interface ServicePayload {
  role: ServiceRole;
  /** The subgraph's own bench database. */
  databaseUrl?: string;
  /** orders: the cart subgraph it reads carts from. */
  cartUrl?: string;
  /** cart: Redis key prefix of this run. */
  cartKeyPrefix?: string;
  /** users: the administrator created at start-up. */
  admin?: AdminCredentials;
  /** router: where each subgraph listens. */
  subgraphUrls?: Record<string, string>;
}

export type ToService = { type: 'stop' } | { type: 'profile-start' } | { type: 'profile-stop'; path: string };
export type FromService =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'profiling' }
  | { type: 'profile-written'; path: string };
