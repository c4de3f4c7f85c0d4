import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { EditAddressForm } from '@/components/account/address-form';
import { personalQuery } from '@/lib/auth';
import { AddressBookQuery } from '../queries';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Edit address', robots: { index: false } };

export default async function EditAddressPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const data = await personalQuery(AddressBookQuery, `/account/addresses/${encodeURIComponent(id)}`);
  const address = data.me?.addresses.edges.find((edge) => edge.node.id === id)?.node;
  if (!address) notFound();
  return (
    <AccountShell current="/account/addresses">
      <p>
        <Link href="/account/addresses">← Address book</Link>
      </p>
      <h1>Edit address</h1>
      <EditAddressForm address={address} />
    </AccountShell>
  );
}
