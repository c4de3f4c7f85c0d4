import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLinks } from '@/components/nav-links';
import { signOut } from '@/app/actions/auth';
import { requireAdmin } from '@/lib/auth';

/** The console's frame: only an admin gets it (lib/auth.ts), with the sections' nav. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireAdmin();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Commerce <span className="brand__tag">admin</span>
        </Link>
        <div className="topbar__user">
          <span className="topbar__name" title={viewer.email}>
            {viewer.name}
          </span>
          <form action={signOut}>
            <button type="submit" className="button button--ghost">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <nav className="nav" aria-label="Sections">
        <NavLinks />
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
