import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '@/components/account/auth-forms';

/**
 * Where the password-reset email's link lands: `${STOREFRONT_URL}/reset-password?token=…`
 * (subgraphs/notifications/src/events/handlers.ts). The token stays out of
 * logs' referrers: no third-party requests here, and `referrer: no-referrer`.
 */
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Choose a new password', robots: { index: false }, referrer: 'no-referrer' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: raw } = await searchParams;
  const token = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return (
    <section className="auth-page">
      <h1>Choose a new password</h1>
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <div role="alert" className="form-error">
          This password reset link is incomplete. Open the link from the email again, or{' '}
          <Link href="/account/forgot-password">request a new one</Link>.
        </div>
      )}
    </section>
  );
}
