import type { Metadata } from 'next';
import Link from 'next/link';
import { signOut } from '@/app/actions/auth';
import { SignUpForm } from '@/components/account/auth-forms';
import { safeReturnTo } from '@/lib/auth';
import { isSignedIn } from '@/lib/session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = {
  title: 'Create an account',
  description: 'Create a Commerce account to follow your orders, keep addresses and get notified.',
  robots: { index: false },
  alternates: { canonical: '/account/sign-up' },
};

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ returnTo?: string | string[] }> }) {
  const { returnTo: raw } = await searchParams;
  const returnTo = safeReturnTo(Array.isArray(raw) ? raw[0] : raw);
  const signedIn = await isSignedIn();
  return (
    <section className="auth-page">
      {signedIn ? (
        <div className="notice" role="status">
          <p>
            You are already signed in. <Link href={returnTo}>Continue</Link>
          </p>
          <form action={signOut}>
            <button type="submit" className="button--secondary">
              Sign out to use another account
            </button>
          </form>
        </div>
      ) : null}
      <h1>Create an account</h1>
      <p className="muted">Your cart comes with you, and orders you placed as a guest with this email join the account.</p>
      <SignUpForm returnTo={returnTo} />
      <p>
        Already have an account? <Link href={`/account/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>Sign in</Link>
      </p>
    </section>
  );
}
