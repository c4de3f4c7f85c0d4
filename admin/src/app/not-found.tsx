import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main" className="auth">
      <div className="auth__card">
        <h1>Not found</h1>
        <p>There is nothing at this address.</p>
        <p>
          <Link href="/">Back to the dashboard</Link>
        </p>
      </div>
    </main>
  );
}
