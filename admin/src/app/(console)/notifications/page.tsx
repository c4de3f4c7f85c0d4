import type { Metadata } from 'next';
import { NotInGraphYet, PageHead } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';

export const metadata: Metadata = { title: 'Notifications' };

export default async function NotificationsPage() {
  await requireAdmin();
  return (
    <>
      <PageHead title="Notifications" />
      <NotInGraphYet what="The delivery log with resends and template previews" fields="notificationDeliveries(…), resendNotification" />
    </>
  );
}
