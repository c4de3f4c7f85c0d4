import type { Metadata } from 'next';
import Link from 'next/link';
import { AccountShell } from '@/components/account/account-shell';
import { NewAddressForm } from '@/components/account/address-form';
import { personalQuery } from '@/lib/auth';
import { AddressBookQuery } from '../queries';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Add an address', robots: { index: false } };

export default async function NewAddressPage() {
  const data = await personalQuery(AddressBookQuery, '/account/addresses/new');
  const count = data.me?.addresses.totalCount ?? 0;
  return (
    <AccountShell current="/account/addresses">
      <p>
        <Link href="/account/addresses">← Address book</Link>
      </p>
      <h1>Add an address</h1>
      <NewAddressForm firstAddress={count === 0} />
    </AccountShell>
  );
}
