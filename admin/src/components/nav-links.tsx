'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { SECTIONS } from './sections';

/** The section links; the current section is marked for assistive technology (aria-current) and by eye. */
export function NavLinks() {
  const pathname = usePathname();
  const current = (href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));
  return (
    <ul className="nav__list">
      {SECTIONS.map((section) => (
        <li key={section.href}>
          <Link href={section.href} className="nav__link" aria-current={current(section.href) ? 'page' : undefined}>
            {section.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
