'use client';
import Link from 'next/link';
import { useEffect } from 'react';

/**
 * Any error a page did not handle where the shopper acted. Never a stack trace:
 * production builds hide server messages (only `digest` reaches here). When the
 * router is down the page says so and tries again by itself every 5 seconds:
 * `retry` fetches the page from the server again (`reset` would only re-render
 * what already failed), so the page comes back on its own once the shop does.
 */
export default function ErrorPage({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  useEffect(() => {
    const timer = setInterval(() => retry(), 5_000);
    return () => clearInterval(timer);
  }, [retry]);
  return (
    <section className="error-page" role="alert">
      <h1>The shop is having trouble right now</h1>
      <p>We could not load this page, probably because the shop is temporarily unavailable. It will try again in a few seconds.</p>
      <p>
        <button type="button" onClick={() => retry()}>
          Try again now
        </button>{' '}
        <Link href="/">Home page</Link>
      </p>
      {error.digest ? <p className="muted">Reference: {error.digest}</p> : null}
    </section>
  );
}
