import 'server-only';
import { graphql } from '@/graphql/generated';
import type { AuditLogFilter } from '@/graphql/generated/graphql';
import { executeGraphQL } from './graphql';

/**
 * Each domain records its own admin mutations (`<domain>AuditLog`); the
 * console asks them all at once and merges them newest first. A domain that
 * does not answer is named, the others still show.
 */
graphql(`
  fragment AdminAuditEntries on AuditEntryConnection {
    totalCount
    edges {
      node {
        id
        domain
        action
        actorId
        actor {
          id
          name
          email
        }
        targetType
        targetId
        changes
        at
      }
    }
  }
`);

const CatalogAudit = graphql(`
  query AdminCatalogAudit($first: Int!, $filter: AuditLogFilter) {
    log: catalogAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);
const OrdersAudit = graphql(`
  query AdminOrdersAudit($first: Int!, $filter: AuditLogFilter) {
    log: ordersAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);
const InventoryAudit = graphql(`
  query AdminInventoryAudit($first: Int!, $filter: AuditLogFilter) {
    log: inventoryAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);
const UsersAudit = graphql(`
  query AdminUsersAudit($first: Int!, $filter: AuditLogFilter) {
    log: usersAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);
const CartAudit = graphql(`
  query AdminCartAudit($first: Int!, $filter: AuditLogFilter) {
    log: cartAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);
const NotificationsAudit = graphql(`
  query AdminNotificationsAudit($first: Int!, $filter: AuditLogFilter) {
    log: notificationsAuditLog(first: $first, filter: $filter) {
      ...AdminAuditEntries
    }
  }
`);

export const AUDIT_DOMAINS = {
  catalog: CatalogAudit,
  orders: OrdersAudit,
  inventory: InventoryAudit,
  users: UsersAudit,
  cart: CartAudit,
  notifications: NotificationsAudit,
} as const;
export type AuditDomain = keyof typeof AUDIT_DOMAINS;

export function isAuditDomain(value: unknown): value is AuditDomain {
  return typeof value === 'string' && Object.hasOwn(AUDIT_DOMAINS, value);
}

export interface AuditRow {
  id: string;
  domain: string;
  action: string;
  actor: string;
  targetType: string;
  targetId: string;
  changes: string;
  at: string;
}

export interface AuditLog {
  entries: AuditRow[];
  /** Entries per domain in all (with the filter). */
  totals: Partial<Record<AuditDomain, number>>;
  unavailable: AuditDomain[];
}

/** The newest `first` entries of the given domains (all by default), merged newest first. */
export async function auditLog(token: string, options: { domains?: AuditDomain[]; filter?: AuditLogFilter; first?: number } = {}): Promise<AuditLog> {
  const domains = options.domains ?? (Object.keys(AUDIT_DOMAINS) as AuditDomain[]);
  const first = options.first ?? 50;
  const results = await Promise.all(
    domains.map(async (domain) => {
      try {
        const data = await executeGraphQL(AUDIT_DOMAINS[domain], { variables: { first, filter: options.filter }, accessToken: token });
        return { domain, log: data.log };
      } catch {
        return { domain, log: undefined };
      }
    }),
  );
  const entries: AuditRow[] = [];
  const totals: Partial<Record<AuditDomain, number>> = {};
  const unavailable: AuditDomain[] = [];
  for (const { domain, log } of results) {
    if (!log) {
      unavailable.push(domain);
      continue;
    }
    totals[domain] = log.totalCount;
    for (const { node } of log.edges) {
      entries.push({
        id: `${domain}:${node.id}`,
        domain: node.domain,
        action: node.action,
        actor: node.actor ? `${node.actor.name} (${node.actor.email})` : node.actorId,
        targetType: node.targetType,
        targetId: node.targetId,
        changes: node.changes,
        at: node.at,
      });
    }
  }
  entries.sort((a, b) => b.at.localeCompare(a.at));
  return { entries: entries.slice(0, first), totals, unavailable };
}
