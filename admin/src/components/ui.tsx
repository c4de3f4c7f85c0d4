import Link from 'next/link';
import type { ReactNode } from 'react';

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | undefined> = {
  ACTIVE: 'ok',
  CONFIRMED: 'info',
  FULFILLED: 'info',
  SHIPPED: 'info',
  DELIVERED: 'ok',
  CAPTURED: 'ok',
  SUCCEEDED: 'ok',
  SENT: 'ok',
  RETRYING: 'warn',
  DRAFT: 'warn',
  PENDING: 'warn',
  STOCK_RESERVED: 'warn',
  PAYMENT_AUTHORIZED: 'warn',
  AUTHORIZED: 'warn',
  REQUESTED: 'warn',
  ARCHIVED: undefined,
  CANCELLED: 'bad',
  PAYMENT_FAILED: 'bad',
  FAILED: 'bad',
  REFUNDED: 'bad',
  PARTIALLY_REFUNDED: 'warn',
  VOIDED: 'bad',
};

/** "PAYMENT_FAILED" → "Payment failed". */
export function humanize(value: string): string {
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function StatusPill({ status }: { status: string }) {
  const tone = TONE[status];
  return <span className={tone ? `pill pill--${tone}` : 'pill'}>{humanize(status)}</span>;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A UTC date and time with a machine-readable <time>. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  return <time dateTime={at}>{dateTime.format(new Date(at))} UTC</time>;
}

/** Scrollable table frame, focusable so a keyboard can scroll it (axe scrollable-region-focusable). */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** "Next page" with the cursor in the URL; "First page" when not on it. */
export function Pager({ basePath, params, endCursor, hasNextPage, onFirstPage }: {
  basePath: string;
  params: Record<string, string | undefined>;
  endCursor: string | null | undefined;
  hasNextPage: boolean;
  onFirstPage: boolean;
}) {
  const href = (after?: string) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value && key !== 'after') query.set(key, value);
    if (after) query.set('after', after);
    const text = query.toString();
    return text ? `${basePath}?${text}` : basePath;
  };
  if (onFirstPage && !hasNextPage) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {onFirstPage ? null : <Link href={href()}>First page</Link>}
      {hasNextPage && endCursor ? <Link href={href(endCursor)}>Next page</Link> : null}
    </nav>
  );
}

export function PageHead({ title, count, children }: { title: string; count?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {count !== undefined ? <span className="muted">{count}</span> : null}
      {children ? <div className="page-head__actions">{children}</div> : null}
    </div>
  );
}

/** What a section lacks because the graph does not offer it yet. */
export function NotInGraphYet({ what, fields }: { what: string; fields: string }) {
  return (
    <div className="panel">
      <p>
        <strong>{what}</strong> needs fields the graph does not serve yet ({fields}). This section shows them as soon as
        they are part of <code>schema/api.graphql</code>.
      </p>
    </div>
  );
}

/** One value from the URL's search params. */
export function param(value: string | string[] | undefined): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one && one.length > 0 ? one : undefined;
}
