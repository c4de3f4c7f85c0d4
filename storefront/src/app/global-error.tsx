'use client';
import { useEffect } from 'react';

/**
 * When even the root layout fails (the header could not render): a page of its
 * own, with its own <html> and minimal inline styles (globals.css is not
 * loaded here). Tries again by itself every 5 seconds, like error.tsx.
 */
export default function GlobalError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  useEffect(() => {
    const timer = setInterval(() => retry(), 5_000);
    return () => clearInterval(timer);
  }, [retry]);
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', color: '#15202b', margin: 0, padding: '2rem 1rem', lineHeight: 1.5 }}>
        <title>The shop is having trouble · Commerce</title>
        <main style={{ maxWidth: '40rem', margin: '0 auto' }} role="alert">
          <h1>The shop is having trouble right now</h1>
          <p>We could not load this page, probably because the shop is temporarily unavailable. It will try again in a few seconds.</p>
          <p>
            <button
              type="button"
              onClick={() => retry()}
              style={{ font: 'inherit', minHeight: 44, padding: '.55rem 1rem', borderRadius: 8, border: '1px solid #1f3a5f', background: '#1f3a5f', color: '#fff', cursor: 'pointer' }}
            >
              Try again now
            </button>{' '}
            <a href="/" style={{ color: '#1f3a5f' }}>
              Home page
            </a>
          </p>
          {error.digest ? <p style={{ color: '#4a5561' }}>Reference: {error.digest}</p> : null}
        </main>
      </body>
    </html>
  );
}
