'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { unreadNotifications } from '@/app/actions/notifications';
import { onLiveConnected, subscribeLive } from '@/components/live/client';
import { NotificationReceivedDocument, type NotificationReceivedSubscription } from '@/graphql/generated/graphql';

/** The bell's link and count; new notifications arrive over the shared live socket. */
export function NotificationBellLive({ liveUrl, initialUnread }: { liveUrl: string; initialUnread: number | null }) {
  const [unread, setUnread] = useState(initialUnread);
  const [announcement, setAnnouncement] = useState('');
  // A new server render (after marking read, or navigating) brings the true count.
  useEffect(() => setUnread(initialUnread), [initialUnread]);
  useEffect(() => {
    const seen = new Set<string>();
    // Catch up with what happened while not subscribed: on every (re)connection
    // of the shared socket, and once shortly after mounting (the socket may
    // already have been open for the cart badge).
    const catchUp = () => {
      unreadNotifications()
        .then((current) => {
          if (!current) return;
          for (const id of current.ids) seen.add(id);
          setUnread(current.count);
        })
        .catch(() => {});
    };
    const offConnected = onLiveConnected(liveUrl, catchUp);
    const timer = setTimeout(catchUp, 1_500);
    const unsubscribe = subscribeLive<NotificationReceivedSubscription>(liveUrl, {
      query: NotificationReceivedDocument,
      onData: (data) => {
        const notification = data.notificationReceived;
        if (seen.has(notification.id) || notification.read) return;
        seen.add(notification.id);
        setUnread((count) => (count ?? 0) + 1);
        setAnnouncement(`New notification: ${notification.title}`);
      },
      // The page keeps its server-rendered count; the client reconnects by itself.
      onError: () => {},
    });
    return () => {
      clearTimeout(timer);
      offConnected();
      unsubscribe();
    };
  }, [liveUrl]);
  const count = unread ?? 0;
  const name = unread === null ? 'Notifications' : `Notifications, ${count} unread`;
  return (
    <span className="notification-bell-wrap">
      <Link href="/account/notifications" className="notification-bell" aria-label={name} data-testid="notification-bell">
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {count > 0 ? (
          <span className="badge" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </Link>
      <span className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </span>
    </span>
  );
}
