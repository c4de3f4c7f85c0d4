import type { Metadata } from 'next';
import { signOut } from '@/app/actions/auth';

export const metadata: Metadata = { title: 'No access' };

/** 403 for a signed-in user who is not an admin: nothing of the console, a way out. */
export default function Forbidden() {
  return (
    <main id="main" className="auth">
      <div className="auth__card">
        <h1>No access</h1>
        <p>This account is not an administrator, so the admin console is closed to it.</p>
        <form action={signOut}>
          <button type="submit" className="button">
            Sign out and use another account
          </button>
        </form>
      </div>
    </main>
  );
}
