import type { Metadata } from 'next';
import Link from 'next/link';
import { OrderLookupForm } from './lookup-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = {
  title: 'Find your order',
  description: 'Look up an order you placed as a guest with its number and email.',
  alternates: { canonical: '/order-lookup' },
};

/** The order emails of guest orders link here with `?number=`, so only the email is left to type. */
export default async function OrderLookupPage({ searchParams }: { searchParams: Promise<{ number?: string | string[] }> }) {
  const { number } = await searchParams;
  const prefilled = typeof number === 'string' && /^#?\d{1,12}$/.test(number.trim()) ? number.trim().replace(/^#/, '') : undefined;
  return (
    <section className="lookup-page">
      <h1>Find your order</h1>
      <p className="muted">
        Ordered without an account? Enter the order number and the email you used. Have an account?{' '}
        <Link href="/account/sign-in?returnTo=%2Faccount">Sign in</Link> to see all your orders.
      </p>
      <OrderLookupForm number={prefilled} />
    </section>
  );
}
