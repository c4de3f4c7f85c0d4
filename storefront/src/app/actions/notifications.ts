'use server';
import { refresh } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/account/form-state';
import { graphql } from '@/graphql/generated';
import type { NotificationChannel, NotificationType } from '@/graphql/generated/graphql';
import { signInPath } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import { executeGraphQL } from '@/lib/graphql';
import { accessToken } from '@/lib/session';

const MarkNotificationReadMutation = graphql(`
  mutation MarkNotificationRead($input: MarkNotificationReadInput!) {
    markNotificationRead(input: $input) {
      id
      read
    }
  }
`);

const MarkAllNotificationsReadMutation = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead {
      updatedCount
    }
  }
`);

const UpdateNotificationPreferencesMutation = graphql(`
  mutation UpdateNotificationPreferences($input: UpdateNotificationPreferencesInput!) {
    updateNotificationPreferences(input: $input) {
      updatedAt
    }
  }
`);

const CHANNELS: NotificationChannel[] = ['EMAIL', 'IN_APP', 'PUSH', 'SMS'];

async function tokenOrSignIn(returnTo: string): Promise<string> {
  const token = await accessToken();
  if (!token) redirect(signInPath(returnTo));
  return token;
}

/** Marks one notification read; the page (and the bell in the header) render again with the new state. */
export async function markNotificationRead(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/notifications');
  try {
    await executeGraphQL(MarkNotificationReadMutation, { accessToken: token, variables: { input: { id: text(form, 'id') } } });
  } catch (error) {
    return formError(error, { messages: { NOT_FOUND: 'This notification no longer exists.' } });
  }
  const next = text(form, 'next');
  // A notification's own link: follow it once it is read (same-site paths only).
  if (next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')) redirect(next);
  // The list and the header's bell render again with the new read state.
  refresh();
  return { status: 'success' };
}

export async function markAllNotificationsRead(_previous: FormState, _form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/notifications');
  try {
    const data = await executeGraphQL(MarkAllNotificationsReadMutation, { accessToken: token });
    const count = data.markAllNotificationsRead.updatedCount;
    refresh();
    return { status: 'success', message: count === 1 ? '1 notification marked as read.' : `${count} notifications marked as read.` };
  } catch (error) {
    return formError(error);
  }
}

/**
 * Saves every switch of the form: a checked box is on, an unchecked one off.
 * Locked types (security messages) are not in the form and stay on.
 */
export async function updateNotificationPreferences(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/notifications/preferences');
  const types = form.getAll('type').map(String) as NotificationType[];
  const channels = CHANNELS.map((channel) => ({ channel, enabled: form.get(`channel:${channel}`) === 'on' }));
  const typeInputs = types.map((type) => ({ type, enabled: form.get(`type:${type}`) === 'on' }));
  try {
    await executeGraphQL(UpdateNotificationPreferencesMutation, {
      accessToken: token,
      variables: { input: { channels, types: typeInputs } },
    });
  } catch (error) {
    return formError(error);
  }
  return { status: 'success', message: 'Your notification preferences were saved.' };
}

const BellUnreadCountQuery = graphql(`
  query BellUnreadCount {
    me {
      id
      unreadNotificationCount
      notifications(first: 50, unreadOnly: true) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`);

/**
 * The bell asks again each time its live socket (re)connects: a notification
 * created between the page's render and the subscription, or while the socket
 * was down, still counts. The newest unread ids come along, so a live event
 * already counted here is not counted twice. Null when signed out or the graph
 * is unreachable.
 */
export async function unreadNotifications(): Promise<{ count: number; ids: string[] } | null> {
  const token = await accessToken();
  if (!token) return null;
  try {
    const data = await executeGraphQL(BellUnreadCountQuery, { accessToken: token, timeoutMs: 3_000 });
    if (!data.me) return null;
    return { count: data.me.unreadNotificationCount, ids: data.me.notifications.edges.map((edge) => edge.node.id) };
  } catch {
    return null;
  }
}
