import type { Metadata } from 'next';
import { AccountShell } from '@/components/account/account-shell';
import { PreferencesForm, type PreferenceSwitch } from '@/components/account/notification-forms';
import { graphql } from '@/graphql/generated';
import type { NotificationChannel, NotificationType } from '@/graphql/generated/graphql';
import { personalQuery } from '@/lib/auth';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Notification preferences', robots: { index: false } };

const NotificationPreferencesQuery = graphql(`
  query NotificationPreferencesPage {
    notificationPreferences {
      channels {
        channel
        enabled
      }
      types {
        type
        enabled
        locked
      }
    }
  }
`);

const CHANNEL_LABEL: Record<NotificationChannel, string> = {
  EMAIL: 'Email',
  IN_APP: 'In the shop (notification bell)',
  PUSH: 'Push notifications',
  SMS: 'Text messages (SMS)',
};

const TYPE_LABEL: Partial<Record<NotificationType, string>> = {
  WELCOME: 'Welcome message',
  PASSWORD_RESET: 'Password reset links',
  ORDER_CONFIRMED: 'Order confirmed',
  PAYMENT_FAILED: 'Payment failed',
  ORDER_SHIPPED: 'Order shipped',
  ORDER_DELIVERED: 'Order delivered',
  ORDER_REFUNDED: 'Refunds',
};

const LOCKED_REASON = 'Always sent: this security message is how you keep access to your account.';

function label(type: string): string {
  return TYPE_LABEL[type as NotificationType] ?? type.charAt(0) + type.slice(1).toLowerCase().replaceAll('_', ' ');
}

export default async function NotificationPreferencesPage() {
  const data = await personalQuery(NotificationPreferencesQuery, '/account/notifications/preferences');
  const prefs = data.notificationPreferences;
  const channels: PreferenceSwitch[] = prefs.channels.map((c) => ({ key: c.channel, label: CHANNEL_LABEL[c.channel] ?? c.channel, enabled: c.enabled }));
  const types: PreferenceSwitch[] = prefs.types.map((t) => ({
    key: t.type,
    label: label(t.type),
    enabled: t.enabled,
    locked: t.locked,
    lockedReason: t.locked ? LOCKED_REASON : undefined,
  }));
  return (
    <AccountShell current="/account/notifications/preferences">
      <h1>Notification preferences</h1>
      <p className="muted">Choose how we reach you and what about. Changes apply to messages sent from now on.</p>
      <PreferencesForm channels={channels} types={types} />
    </AccountShell>
  );
}
