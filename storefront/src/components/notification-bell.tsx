import { graphql } from '@/graphql/generated';
import { executeGraphQL } from '@/lib/graphql';
import { accessToken } from '@/lib/session';
import { NotificationBellLive } from './account/notification-bell-live';

const UnreadNotificationCountQuery = graphql(`
  query UnreadNotificationCount {
    me {
      id
      unreadNotificationCount
    }
  }
`);

/**
 * The header's bell (signed-in shoppers): the unread count as the server saw
 * it, then live over graphql-ws (notificationReceived). A graph that is down
 * or a session that ended never breaks the header: the bell shows no count.
 */
export async function NotificationBell({ liveUrl }: { liveUrl: string }) {
  const token = await accessToken();
  let unread: number | null = null;
  if (token) {
    try {
      const data = await executeGraphQL(UnreadNotificationCountQuery, { accessToken: token, timeoutMs: 3_000 });
      unread = data.me?.unreadNotificationCount ?? null;
    } catch {
      unread = null;
    }
  }
  return <NotificationBellLive liveUrl={liveUrl} initialUnread={unread} />;
}
