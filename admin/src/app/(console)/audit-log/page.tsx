import type { Metadata } from 'next';
import { PageHead, TableWrap, When, param } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';
import { AUDIT_DOMAINS, auditLog, isAuditDomain } from '@/lib/audit';

export const metadata: Metadata = { title: 'Audit log' };

/** Pretty-printed JSON when it is JSON, else the text as it is. */
function pretty(changes: string): string {
  try {
    return JSON.stringify(JSON.parse(changes), null, 1);
  } catch {
    return changes;
  }
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const domainParam = param(params.domain);
  const domain = isAuditDomain(domainParam) ? domainParam : undefined;
  const targetType = param(params.targetType)?.slice(0, 100);
  const action = param(params.action)?.slice(0, 100);
  const log = await auditLog(token, {
    domains: domain ? [domain] : undefined,
    filter: targetType || action ? { targetType, action } : undefined,
  });
  const total = Object.values(log.totals).reduce((sum, n) => sum + (n ?? 0), 0);
  return (
    <>
      <PageHead title="Audit log" count={total === 0 ? 'no entries' : `${total} ${total === 1 ? 'entry' : 'entries'}; the newest ${log.entries.length} shown`} />
      <form className="filters" method="get" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-domain">Domain</label>
          <select id="audit-domain" name="domain" defaultValue={domain ?? ''}>
            <option value="">Every domain</option>
            {Object.keys(AUDIT_DOMAINS).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-target">What (target type)</label>
          <input id="audit-target" name="targetType" defaultValue={targetType} maxLength={100} placeholder="Product, Order, StockLevel…" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" name="action" defaultValue={action} maxLength={100} placeholder="adjustStock" />
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      {log.unavailable.length > 0 ? <p className="notice notice--warn">Not answering now: {log.unavailable.join(', ')}.</p> : null}
      {log.entries.length === 0 ? (
        <p className="panel empty">No admin change recorded{domain ? ` in ${domain}` : ''}.</p>
      ) : (
        <TableWrap label="Audit entries">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Domain</th>
                <th scope="col">Action</th>
                <th scope="col">What</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap">
                    <When at={entry.at} />
                  </td>
                  <td>{entry.actor}</td>
                  <td>{entry.domain}</td>
                  <td>{entry.action}</td>
                  <td>
                    {entry.targetType} <code className="muted">{entry.targetId.slice(0, 8)}</code>
                  </td>
                  <td>
                    <details>
                      <summary>Show</summary>
                      <pre className="changes">{pretty(entry.changes)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
