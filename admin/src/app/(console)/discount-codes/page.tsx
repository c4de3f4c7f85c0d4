import type { Metadata } from 'next';
import { NotInGraphYet, PageHead } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';

export const metadata: Metadata = { title: 'Discount codes' };

export default async function DiscountcodesPage() {
  await requireAdmin();
  return (
    <>
      <PageHead title="Discount codes" />
      <NotInGraphYet what="Creating, scheduling, limiting and deactivating codes and their uses" fields="discountCodes(…), createDiscountCode, deactivateDiscountCode" />
    </>
  );
}
