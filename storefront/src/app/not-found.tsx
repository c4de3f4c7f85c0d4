import Link from 'next/link';

export const metadata = { title: 'Page not found', robots: { index: false } };

export default function NotFound() {
  return (
    <section className="error-page">
      <h1>We could not find that page</h1>
      <p>The link may be old, or the product is no longer sold.</p>
      <p>
        <Link href="/">Go to the home page</Link> or <Link href="/search">search the shop</Link>.
      </p>
    </section>
  );
}
