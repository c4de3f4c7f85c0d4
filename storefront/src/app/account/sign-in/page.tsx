import type { Metadata } from 'next';
import Link from 'next/link';
import { signOut } from '@/app/actions/auth';
import { SignInForm } from '@/components/account/auth-forms';
import { safeReturnTo } from '@/lib/auth';
import { isSignedIn } from '@/lib/session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in', robots: { index: false }, alternates: { canonical: '/account/sign-in' } };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ returnTo?: string | string[] }> }) {
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
      <h1>Sign in</h1>
      <SignInForm returnTo={returnTo} />
      <p>
        New here? <Link href={`/account/sign-up?returnTo=${encodeURIComponent(returnTo)}`}>Create an account</Link>
      </p>
      <p>
        Bought as a guest? <Link href="/order-lookup">Find your order</Link>
      </p>
    </section>
  );
}
