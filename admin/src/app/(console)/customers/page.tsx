import type { Metadata } from 'next';
import { NotInGraphYet, PageHead } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';

export const metadata: Metadata = { title: 'Customers' };

export default async function CustomersPage() {
  await requireAdmin();
  return (
    <>
      <PageHead title="Customers" />
      <NotInGraphYet what="A customer list, a customer's orders and addresses, granting and revoking the admin role" fields="users(…), grantAdminRole, revokeAdminRole" />
    </>
  );
}
