'use client';

/** A read failed (e.g. the router is down): say so, offer a retry, show no server detail. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="panel" role="alert">
      <h1>Something went wrong</h1>
      <p>The console could not load this page. The graph may be unavailable.</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
