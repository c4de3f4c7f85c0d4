import type { Metadata } from 'next';
import Link from 'next/link';
import { ConfirmEmailForm } from '@/components/account/settings-forms';

/**
 * Where the email-change link lands: `${STOREFRONT_URL}/account/confirm-email?token=…`
 * (notifications subgraph, sent to the new address). Works without a session.
 */
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Confirm your new email', robots: { index: false }, referrer: 'no-referrer' };

export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: raw } = await searchParams;
  const token = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return (
    <section className="auth-page">
      <h1>Confirm your new email</h1>
      {token ? (
        <ConfirmEmailForm token={token} />
      ) : (
        <p role="alert" className="form-error">
          This confirmation link is incomplete. Open the link from the email again, or{' '}
          <Link href="/account/settings">request the change again</Link>.
        </p>
      )}
    </section>
  );
}
