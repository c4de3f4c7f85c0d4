import Link from 'next/link';
import { signOut } from '@/app/actions/auth';
import { safeReturnTo } from '@/lib/auth';
import { isSignedIn } from '@/lib/session';

export type AuthPageSearchParams = Promise<{ returnTo?: string | string[] }>;

/** Where the sign-in and sign-up pages send the shopper afterwards (a local path only). */
export async function authReturnTo(searchParams: AuthPageSearchParams): Promise<string> {
  const { returnTo } = await searchParams;
  return safeReturnTo(Array.isArray(returnTo) ? returnTo[0] : returnTo);
}

/** On the sign-in and sign-up pages: a signed-in shopper may continue or sign out first. */
export async function AlreadySignedIn({ returnTo }: { returnTo: string }) {
  if (!(await isSignedIn())) return null;
  return (
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
  );
}
