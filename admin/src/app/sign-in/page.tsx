import type { Metadata } from 'next';
import { signIn } from '@/app/actions/auth';
import { ActionForm, Field } from '@/components/form';
import { hasSessionCookie, safeReturnTo } from '@/lib/auth';

export const metadata: Metadata = { title: 'Sign in' };

/** The console's only public page. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ returnTo?: string }> }) {
  const { returnTo } = await searchParams;
  const signedIn = await hasSessionCookie();
  return (
    <main id="main" className="auth">
      <div className="auth__card">
        <p className="brand brand--dark">
          Commerce <span className="brand__tag">admin</span>
        </p>
        <h1>Sign in</h1>
        <p className="muted">For the shop's administrators.</p>
        {signedIn ? <p className="notice">A session is open in this browser; signing in replaces it.</p> : null}
        <ActionForm action={signIn} submitLabel="Sign in" label="Sign in">
          <input type="hidden" name="returnTo" value={safeReturnTo(returnTo)} />
          <Field name="email" label="Email" type="email" autoComplete="username" required maxLength={254} />
          <Field name="password" label="Password" type="password" autoComplete="current-password" required maxLength={200} />
        </ActionForm>
      </div>
    </main>
  );
}
