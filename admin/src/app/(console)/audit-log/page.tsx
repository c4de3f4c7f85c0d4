import type { Metadata } from 'next';
import { NotInGraphYet, PageHead } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditlogPage() {
  await requireAdmin();
  return (
    <>
      <PageHead title="Audit log" />
      <NotInGraphYet what="Who changed what and when" fields="catalogAuditLog, ordersAuditLog, inventoryAuditLog, usersAuditLog, cartAuditLog, notificationsAuditLog, paymentsAuditLog" />
    </>
  );
}
