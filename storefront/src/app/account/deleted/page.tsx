import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Account deleted', robots: { index: false } };

export default function AccountDeletedPage() {
  return (
    <section className="auth-page">
      <h1>Your account was deleted</h1>
      <p>Your profile, address book and sign-ins are gone. Orders you placed are kept for our records, no longer linked to you.</p>
      <p>
        <Link href="/">Back to the shop</Link>
      </p>
    </section>
  );
}
