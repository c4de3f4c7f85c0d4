import type { Metadata } from 'next';
import Link from 'next/link';
import { ForgotPasswordForm } from '@/components/account/auth-forms';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Reset your password', robots: { index: false } };

export default function ForgotPasswordPage() {
  return (
    <section className="auth-page">
      <h1>Reset your password</h1>
      <p className="muted">Enter the email of your account. We will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p>
        <Link href="/account/sign-in">Back to sign in</Link>
      </p>
    </section>
  );
}
