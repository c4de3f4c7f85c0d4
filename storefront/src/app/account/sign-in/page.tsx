import type { Metadata } from 'next';
import Link from 'next/link';
import { AlreadySignedIn, type AuthPageSearchParams, authReturnTo } from '@/components/account/auth-page';
import { SignInForm } from '@/components/account/auth-forms';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in', robots: { index: false }, alternates: { canonical: '/account/sign-in' } };

export default async function SignInPage({ searchParams }: { searchParams: AuthPageSearchParams }) {
  const returnTo = await authReturnTo(searchParams);
  return (
    <section className="auth-page">
      <AlreadySignedIn returnTo={returnTo} />
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
