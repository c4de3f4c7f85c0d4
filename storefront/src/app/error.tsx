'use client';
import Link from 'next/link';
import { useEffect } from 'react';

/**
 * Any error a page did not handle where the shopper acted. Never a stack trace:
 * production builds hide server messages (only `digest` reaches here). When the
 * router is down the page says so and tries again by itself.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    const timer = setInterval(() => reset(), 5_000);
    return () => clearInterval(timer);
  }, [reset]);
  return (
    <section className="error-page" role="alert">
      <h1>The shop is having trouble right now</h1>
      <p>We could not load this page. It will try again in a few seconds.</p>
      <p>
        <button type="button" onClick={() => reset()}>
          Try again now
        </button>{' '}
        <Link href="/">Home page</Link>
      </p>
      {error.digest ? <p className="muted">Reference: {error.digest}</p> : null}
    </section>
  );
}
