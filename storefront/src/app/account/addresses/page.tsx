import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { AddressActions } from '@/components/account/address-actions';
import { countryName } from '@/components/account/countries';
import { personalQuery, signInPath } from '@/lib/auth';
import { AddressBookQuery } from './queries';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Address book', robots: { index: false } };

export default async function AddressesPage({ searchParams }: { searchParams: Promise<{ saved?: string; deleted?: string }> }) {
  const { saved, deleted } = await searchParams;
  const data = await personalQuery(AddressBookQuery, '/account/addresses');
  if (!data.me) redirect(signInPath('/account/addresses'));
  const addresses = data.me.addresses.edges.map((edge) => edge.node);
  return (
    <AccountShell current="/account/addresses">
      <h1>Address book</h1>
      {saved ? (
        <p className="notice notice--ok" role="status">
          Address saved.
        </p>
      ) : null}
      {deleted ? (
        <p className="notice notice--ok" role="status">
          Address deleted.
        </p>
      ) : null}
      <p>
        <Link className="button" href="/account/addresses/new">
          Add an address
        </Link>
      </p>
      {addresses.length === 0 ? (
        <p>You have no saved addresses yet. Addresses you save here are offered at checkout.</p>
      ) : (
        <ul className="address-list">
          {addresses.map((address) => {
            const label = `${address.fullName}, ${address.line1}`;
            return (
              <li key={address.id} className="account-card address-card" aria-label={label}>
                {address.isDefault ? <p className="badge badge--default">Default</p> : null}
                <address>
                  <strong>{address.fullName}</strong>
                  <br />
                  {address.line1}
                  {address.line2 ? (
                    <>
                      <br />
                      {address.line2}
                    </>
                  ) : null}
                  <br />
                  {address.postalCode} {address.city}
                  {address.region ? `, ${address.region}` : ''}
                  <br />
                  {countryName(address.countryCode)}
                  {address.phone ? (
                    <>
                      <br />
                      {address.phone}
                    </>
                  ) : null}
                </address>
                <div className="address-card__tools">
                  <Link className="button button--secondary" href={`/account/addresses/${encodeURIComponent(address.id)}`}>
                    Edit<span className="visually-hidden"> address: {label}</span>
                  </Link>
                  <AddressActions id={address.id} label={label} isDefault={address.isDefault} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </AccountShell>
  );
}
