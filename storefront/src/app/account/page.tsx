import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { formatDate, statusLabel, statusTone } from '@/components/account/format';
import { graphql } from '@/graphql/generated';
import { personalQuery, signInPath } from '@/lib/auth';
import { GraphQLRequestError } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Your account', robots: { index: false } };

const PAGE_SIZE = 10;

const AccountOverviewQuery = graphql(`
  query AccountOverview($first: Int!, $after: String) {
    me {
      id
      name
      email
      createdAt
      orders(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            number
            status
            placedAt
            total {
              amountMinor
              currency
            }
          }
        }
      }
    }
  }
`);

type Search = { after?: string | string[]; from?: string | string[] };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function AccountPage({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const after = first(params.after) || null;
  const from = after ? Math.max(0, Number.parseInt(first(params.from) ?? '0', 10) || 0) : 0;
  const returnTo = after ? `/account?after=${encodeURIComponent(after)}&from=${from}` : '/account';
  const data = await personalQuery(AccountOverviewQuery, returnTo, { first: PAGE_SIZE, after }).catch((error: unknown) => {
    // An old or edited page link: start again from the newest orders.
    if (after && error instanceof GraphQLRequestError && (error.code === 'INVALID_CURSOR' || error.code === 'BAD_USER_INPUT')) redirect('/account');
    throw error;
  });
  const me = data.me;
  if (!me) {
    // A token the graph no longer knows (e.g. a deleted account): sign in again.
    redirect(signInPath(returnTo));
  }
  const orders = me.orders;
  const shown = orders.edges.length;
  return (
    <AccountShell current="/account">
      <h1>Your account</h1>
      <section aria-labelledby="profile-heading" className="account-card">
        <h2 id="profile-heading">Profile</h2>
        <dl className="account-dl">
          <dt>Name</dt>
          <dd>{me.name}</dd>
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Member since</dt>
          <dd>{formatDate(me.createdAt)}</dd>
        </dl>
        <p>
          <Link href="/account/settings">Change your name, email or password</Link>
        </p>
      </section>
      <section aria-labelledby="orders-heading" className="account-card">
        <h2 id="orders-heading">Orders</h2>
        {orders.totalCount === 0 ? (
          <p>
            You have no orders yet. <Link href="/">Start shopping</Link>
          </p>
        ) : (
          <>
            <p className="muted" aria-live="polite">
              {shown > 0
                ? `Showing ${from + 1}–${from + shown} of ${orders.totalCount} ${orders.totalCount === 1 ? 'order' : 'orders'}`
                : `${orders.totalCount} orders`}
            </p>
            <table className="order-table">
              <caption className="visually-hidden">Your orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {orders.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <th scope="row">
                      <Link href={`/account/orders/${encodeURIComponent(node.id)}`}>Order #{node.number}</Link>
                    </th>
                    <td>{formatDate(node.placedAt)}</td>
                    <td>
                      <span className={`status status--${statusTone(node.status)}`}>{statusLabel(node.status)}</span>
                    </td>
                    <td className="num">{formatMoney(node.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav className="pager" aria-label="Order pages">
              {after ? <Link href="/account">Newest orders</Link> : null}
              {orders.pageInfo.hasNextPage && orders.pageInfo.endCursor ? (
                <Link href={`/account?after=${encodeURIComponent(orders.pageInfo.endCursor)}&from=${from + shown}`}>Older orders</Link>
              ) : null}
            </nav>
          </>
        )}
      </section>
    </AccountShell>
  );
}
