export { type AuditEntryRow, type AuditTarget, type RawQueryExecutor } from './data.js';
export {
  auditActor,
  listAuditEntries,
  recordAudit,
  type AuditConnection,
  type AuditLogArgs,
  type AuditLogFilter,
  type AuditLogOptions,
} from './service.js';
export { auditConnectionResolvers, auditEntryResolvers } from './resolvers.js';
