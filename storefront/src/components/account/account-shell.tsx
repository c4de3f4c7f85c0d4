import Link from 'next/link';
import type { ReactNode } from 'react';
import { signOut } from '@/app/actions/auth';

const SECTIONS = [
  { href: '/account', label: 'Orders' },
  { href: '/account/addresses', label: 'Addresses' },
  { href: '/account/notifications', label: 'Notifications' },
  { href: '/account/notifications/preferences', label: 'Notification preferences' },
  { href: '/account/settings', label: 'Account settings' },
] as const;

export type AccountSection = (typeof SECTIONS)[number]['href'];

/** The signed-in area: its navigation (with sign out) beside the page. */
export function AccountShell({ current, children }: { current: AccountSection | null; children: ReactNode }) {
  return (
    <div className="account-layout">
      <nav className="account-nav" aria-label="Your account">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.href}>
              <Link href={section.href} aria-current={section.href === current ? 'page' : undefined}>
                {section.label}
              </Link>
            </li>
          ))}
        </ul>
        <form action={signOut}>
          <button type="submit" className="button--secondary">
            Sign out
          </button>
        </form>
      </nav>
      <div className="account-main">{children}</div>
    </div>
  );
}
