import type { Metadata } from 'next';
import Link from 'next/link';
import { AlreadySignedIn, type AuthPageSearchParams, authReturnTo } from '@/components/account/auth-page';
import { SignUpForm } from '@/components/account/auth-forms';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = {
  title: 'Create an account',
  description: 'Create a Commerce account to follow your orders, keep addresses and get notified.',
  robots: { index: false },
  alternates: { canonical: '/account/sign-up' },
};

export default async function SignUpPage({ searchParams }: { searchParams: AuthPageSearchParams }) {
  const returnTo = await authReturnTo(searchParams);
  return (
    <section className="auth-page">
      <AlreadySignedIn returnTo={returnTo} />
      <h1>Create an account</h1>
      <p className="muted">Your cart comes with you, and orders you placed as a guest with this email join the account.</p>
      <SignUpForm returnTo={returnTo} />
      <p>
        Already have an account? <Link href={`/account/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>Sign in</Link>
      </p>
    </section>
  );
}
