import Link from 'next/link';

export function SiteFooter() {
  return (
    <footer className="site-footer">
      <nav aria-label="Footer">
        <Link href="/search">All products</Link>
        <Link href="/order-lookup">Find an order</Link>
        <Link href="/account">Your account</Link>
      </nav>
      <p>Commerce is an open-source demo shop. Prices include no real offers.</p>
    </footer>
  );
}
