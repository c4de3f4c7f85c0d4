export type {
  BaseContext,
  FieldResolver,
  GraphQLResolverMap,
  RouteHandler,
  RunningSubgraph,
  ShieldRules,
  SubgraphDefinition,
} from './types.js';
export { loadSchema } from './schema.js';
export {
  startSubgraph,
  buildSchema,
  installSignalHandlers,
  type StartSubgraphOptions,
  type SignalHandlerOptions,
  type Stoppable,
} from './server.js';
export {
  allow,
  deny,
  isAuthenticated,
  isAdmin,
  ownerOrAdmin,
  rule,
  and,
  or,
  not,
  chain,
  race,
  applyPermissions,
  buildRuleTree,
  type ShieldRule,
  type OwnerIdResolver,
} from './permissions.js';
export { DateTimeScalar } from './scalars.js';
export { subscriptionField, type SubgraphSubscriptions } from './subscriptions.js';
export {
  encodeCursor,
  decodeCursor,
  encodeTimeIdCursor,
  decodeTimeIdCursor,
  clampFirst,
  toConnection,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Connection,
  type Edge,
  type PageInfo,
  type TimeIdCursor,
} from './connections.js';
export {
  allReady,
  createLoader,
  createGroupLoader,
  DataLoader,
  groupBy,
  indexBy,
  isPromise,
  SettledLoader,
  whenReady,
  type LoaderOptions,
  type MaybePromise,
} from './loaders.js';
export { isUuid, timeOrderedUuid } from './ids.js';
export {
  auditActor,
  auditConnectionResolvers,
  auditEntryResolvers,
  listAuditEntries,
  recordAudit,
  type AuditConnection,
  type AuditEntryRow,
  type AuditLogArgs,
  type AuditLogFilter,
  type AuditLogOptions,
  type AuditTarget,
  type RawQueryExecutor,
} from './audit/index.js';
import { observeAllPgPools } from '@commerce/metrics/collectors';
export { domainMetrics, observePool, type DomainMetrics, type DomainMetricsOptions, type SqlGauge } from '@commerce/metrics/collectors';
export { histogram } from '@commerce/metrics';

// Before any subgraph opens a database: every pg.Pool of the process reports its
// connections on /metrics (db_client_connection_*), Prisma adapter's pools included.
observeAllPgPools();
