import type { Metadata } from 'next';
import Link from 'next/link';
import { ProductGrid } from '@/components/catalog/product-card';
import { getDepartments } from '@/lib/catalog/data';
import { CATALOG_REVALIDATE_SECONDS } from '@/lib/config';
import { executeGraphQL } from '@/lib/graphql';
import { currency } from '@/lib/session';
import { HomeProductsQuery } from './queries';

export const metadata: Metadata = {
  title: { absolute: 'Commerce — clothing, electronics, home goods and more' },
  description: 'Shop apparel, electronics, home and kitchen, sports and books at Commerce, the open-source demo store.',
  alternates: { canonical: '/' },
  openGraph: { type: 'website', title: 'Commerce', url: '/' },
};

const SECTION_SIZE = 10;

/** Departments, featured products and new arrivals: two cached requests (departments are shared with the header). */
export default async function HomePage() {
  const shopperCurrency = await currency();
  const [departments, products] = await Promise.all([
    getDepartments(),
    executeGraphQL(HomeProductsQuery, {
      variables: { currency: shopperCurrency, first: SECTION_SIZE },
      cache: { tags: ['catalog', 'home'], revalidate: CATALOG_REVALIDATE_SECONDS },
    }),
  ]);
  const featured = products.featured.edges.map((edge) => edge.node);
  const newArrivals = products.newArrivals.edges.map((edge) => edge.node);
  return (
    <>
      <section className="home-hero">
        <h1>Everything for everyday, in one shop</h1>
        <p>Clothing, electronics, home goods, outdoor gear and books, with prices in US dollars or euros.</p>
        <p>
          <Link href="/search" className="button">
            Browse all products
          </Link>
        </p>
      </section>

      <section className="home-section" aria-labelledby="departments-heading">
        <h2 id="departments-heading">Shop by department</h2>
        <ul className="department-grid">
          {departments.map((department) => (
            <li key={department.id} className="department-card">
              <h3>
                <Link href={`/c/${department.slug}`} className="department-card__link">
                  {department.name}
                </Link>
              </h3>
              {department.children.edges.length ? (
                <p className="muted">{department.children.edges.map(({ node }) => node.name).join(' · ')}</p>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      {featured.length ? (
        <section className="home-section" aria-labelledby="featured-heading">
          <h2 id="featured-heading">Featured products</h2>
          <ProductGrid products={featured} label="Featured products" preloadFirst={2} />
        </section>
      ) : null}

      {newArrivals.length ? (
        <section className="home-section" aria-labelledby="new-heading">
          <h2 id="new-heading">New arrivals</h2>
          <ProductGrid products={newArrivals} label="New arrivals" />
        </section>
      ) : null}
    </>
  );
}
