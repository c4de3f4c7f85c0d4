import type { Metadata } from 'next';
import Link from 'next/link';
import { resendNotification } from '@/app/actions/notifications';
import { ActionForm } from '@/components/form';
import { PageHead, Pager, StatusPill, TableWrap, When, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import type { NotificationChannel, NotificationDeliveryStatus } from '@/graphql/generated/graphql';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Notifications' };

const AdminDeliveriesQuery = graphql(`
  query AdminDeliveries($first: Int!, $after: String, $filter: NotificationDeliveryFilter) {
    notificationDeliveries(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          channel
          type
          status
          recipient
          summary
          attempts
          lastError
          createdAt
          sentAt
          orderId
          resendOf {
            id
          }
        }
      }
    }
  }
`);

const STATUSES: NotificationDeliveryStatus[] = ['PENDING', 'RETRYING', 'SENT', 'FAILED'];
const CHANNELS: NotificationChannel[] = ['EMAIL', 'SMS', 'PUSH', 'IN_APP'];
/** One-time links are never sent again (the graph refuses them too). */
const NOT_RESENDABLE = new Set(['PASSWORD_RESET', 'EMAIL_CHANGE_CONFIRMATION']);

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const status = STATUSES.find((s) => s === param(params.status));
  const channel = CHANNELS.find((c) => c === param(params.channel));
  const recipient = param(params.recipient)?.slice(0, 254);
  const after = param(params.after);
  const { notificationDeliveries: log } = await executeGraphQL(AdminDeliveriesQuery, {
    variables: { first: 25, after, filter: { status, channel, recipient } },
    accessToken: token,
  });
  return (
    <>
      <PageHead title="Notifications" count={`${log.totalCount} ${log.totalCount === 1 ? 'delivery' : 'deliveries'}`}>
        <Link href="/notifications/preview">Template previews</Link>
      </PageHead>
      <form className="filters" method="get" aria-label="Filter deliveries">
        <div className="field">
          <label htmlFor="delivery-status">Status</label>
          <select id="delivery-status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="delivery-channel">Channel</label>
          <select id="delivery-channel" name="channel" defaultValue={channel ?? ''}>
            <option value="">Any channel</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {humanize(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="delivery-recipient">Recipient</label>
          <input id="delivery-recipient" name="recipient" defaultValue={recipient} maxLength={254} />
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      {log.edges.length === 0 ? (
        <p className="panel empty">No deliveries.</p>
      ) : (
        <TableWrap label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Message</th>
                <th scope="col">Recipient</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Resend</th>
              </tr>
            </thead>
            <tbody>
              {log.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td className="nowrap">
                    <When at={node.createdAt} />
                  </td>
                  <td>
                    {humanize(node.type)} · {humanize(node.channel)}
                    {node.summary ? <div className="muted">{node.summary}</div> : null}
                    {node.resendOf ? <div className="muted">a resend</div> : null}
                  </td>
                  <td>{node.recipient}</td>
                  <td>
                    <StatusPill status={node.status} />
                    {node.lastError ? <div className="muted">{node.lastError}</div> : null}
                  </td>
                  <td className="num">{node.attempts}</td>
                  <td>
                    {NOT_RESENDABLE.has(node.type) || !node.summary ? (
                      <span className="muted">—</span>
                    ) : (
                      <ActionForm action={resendNotification} submitLabel="Resend" label={`Resend ${humanize(node.type)} to ${node.recipient}`} className="form form--inline">
                        <input type="hidden" name="deliveryId" value={node.id} />
                      </ActionForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager basePath="/notifications" params={{ status, channel, recipient }} endCursor={log.pageInfo.endCursor} hasNextPage={log.pageInfo.hasNextPage} onFirstPage={!after} />
    </>
  );
}
