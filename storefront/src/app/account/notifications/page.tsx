import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { formatDateTime } from '@/components/account/format';
import { MarkAllReadButton, MarkReadButton } from '@/components/account/notification-forms';
import { graphql } from '@/graphql/generated';
import { personalQuery, signInPath } from '@/lib/auth';
import { GraphQLRequestError } from '@/lib/graphql';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Notifications', robots: { index: false } };

const PAGE_SIZE = 20;

const AccountNotificationsQuery = graphql(`
  query AccountNotifications($first: Int!, $after: String) {
    me {
      id
      unreadNotificationCount
      notifications(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            title
            body
            link
            read
            createdAt
          }
        }
      }
    }
  }
`);

/** Notification links are absolute storefront URLs (STOREFRONT_URL): follow them on this site. */
function sitePath(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link, 'http://storefront.invalid');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ after?: string }> }) {
  const { after } = await searchParams;
  const returnTo = after ? `/account/notifications?after=${encodeURIComponent(after)}` : '/account/notifications';
  const data = await personalQuery(AccountNotificationsQuery, returnTo, { first: PAGE_SIZE, after: after || null }).catch((error: unknown) => {
    if (after && error instanceof GraphQLRequestError && (error.code === 'INVALID_CURSOR' || error.code === 'BAD_USER_INPUT')) {
      redirect('/account/notifications');
    }
    throw error;
  });
  if (!data.me) redirect(signInPath(returnTo));
  const { unreadNotificationCount: unread, notifications } = data.me;
  return (
    <AccountShell current="/account/notifications">
      <h1>Notifications</h1>
      <div className="toolbar">
        <p className="muted" data-testid="unread-count">
          {unread === 0 ? 'No unread notifications' : `${unread} unread`}
        </p>
        {unread > 0 ? <MarkAllReadButton disabled={false} /> : null}
      </div>
      {notifications.totalCount === 0 ? (
        <p>Nothing here yet. We will let you know when your orders move.</p>
      ) : (
        <ul className="notification-list">
          {notifications.edges.map(({ node }) => {
            const path = sitePath(node.link);
            return (
              <li key={node.id} className={`notification${node.read ? '' : ' notification--unread'}`} aria-label={`${node.read ? '' : 'Unread: '}${node.title}`}>
                <div>
                  <h2>
                    {node.read ? null : <span className="visually-hidden">Unread: </span>}
                    {node.title}
                  </h2>
                  <p>{node.body}</p>
                  <p className="muted">
                    <time dateTime={node.createdAt}>{formatDateTime(node.createdAt)}</time>
                    {path ? (
                      <>
                        {' · '}
                        <Link href={path}>View details<span className="visually-hidden">: {node.title}</span></Link>
                      </>
                    ) : null}
                  </p>
                </div>
                <div className="notification__tools">
                  {node.read ? <span className="muted">Read</span> : <MarkReadButton id={node.id} title={node.title} />}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <nav className="pager" aria-label="Notification pages">
        {after ? <Link href="/account/notifications">Newest notifications</Link> : null}
        {notifications.pageInfo.hasNextPage && notifications.pageInfo.endCursor ? (
          <Link href={`/account/notifications?after=${encodeURIComponent(notifications.pageInfo.endCursor)}`}>Older notifications</Link>
        ) : null}
      </nav>
      <p>
        <Link href="/account/notifications/preferences">Choose which notifications you get</Link>
      </p>
    </AccountShell>
  );
}
