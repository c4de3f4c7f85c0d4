/**
 * Resolvers of the shared AuditEntry and AuditEntryConnection types (each
 * domain's schema declares them, @shareable), the same in every subgraph.
 */
import type { AuditEntryRow } from './data.js';
import type { AuditConnection } from './service.js';

/** AuditEntry's fields that are not columns. `domain` is the subgraph's, e.g. 'orders'. */
export function auditEntryResolvers(domain: string) {
  return {
    domain: (): string => domain,
    /** A reference to the User entity (the users subgraph resolves it). */
    actor: (entry: AuditEntryRow): { __typename: 'User'; id: string } => ({ __typename: 'User', id: entry.actorId }),
    /** `changes` as JSON text. */
    changes: (entry: AuditEntryRow): string => JSON.stringify(entry.changes),
  };
}

export const auditConnectionResolvers = {
  totalCount: (connection: AuditConnection): Promise<number> => connection.countTotal(),
};
