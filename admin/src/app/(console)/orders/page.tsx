import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/live/live-refresh';
import { AdminOrderEventsDocument } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import Link from 'next/link';
import { PageHead, Pager, StatusPill, TableWrap, When, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import type { AdminOrdersQuery, OrderFilter, OrderStatus } from '@/graphql/generated/graphql';
import { ORDER_STATUSES } from '@/lib/orders';
import { requireAdmin } from '@/lib/auth';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Orders' };

const AdminOrdersDocument = graphql(`
  query AdminOrders($first: Int!, $after: String, $filter: OrderFilter) {
    orders(first: $first, after: $after, filter: $filter) {
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
          email
          total {
            amountMinor
            currency
          }
          lines {
            id
            quantity
          }
        }
      }
    }
  }
`);

/** A YYYY-MM-DD from a date input, else undefined. */
function dateParam(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

function FilterError({ message, id }: { message: string | undefined; id: string }) {
  return message ? (
    <span id={id} className="field__error">
      {message}
    </span>
  ) : null;
}

const isStatus = (value: string | undefined): value is OrderStatus => ORDER_STATUSES.includes(value as OrderStatus);

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const statusParam = param(params.status);
  const status = isStatus(statusParam) ? statusParam : undefined;
  const after = param(params.after);
  const from = dateParam(param(params.from));
  const to = dateParam(param(params.to));
  const email = param(params.email)?.trim().slice(0, 254);
  const number = param(params.number)?.replace(/[#\s]/g, '').slice(0, 20);
  const filter: OrderFilter = {
    status,
    customerEmail: email || undefined,
    number: number || undefined,
    placedFrom: from ? `${from}T00:00:00.000Z` : undefined,
    // The whole "to" day: up to the next midnight (UTC).
    placedTo: to ? new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined,
  };
  let orders: AdminOrdersQuery['orders'] = { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] };
  let problem: { field?: string; message: string } | undefined;
  try {
    orders = (await executeGraphQL(AdminOrdersDocument, { variables: { first: 25, after, filter }, accessToken: token })).orders;
  } catch (error) {
    if (!(error instanceof GraphQLRequestError) || (error.code !== 'BAD_USER_INPUT' && error.code !== 'INVALID_CURSOR')) throw error;
    const field = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
    problem = { field, message: error.code === 'INVALID_CURSOR' ? 'That page is gone: start from the first page.' : error.message };
  }
  const fieldError = (name: string) => (problem?.field?.endsWith(name) ? problem.message : undefined);
  return (
    <>
      <PageHead title="Orders" count={`${orders.totalCount} ${orders.totalCount === 1 ? 'order' : 'orders'}`} />
      <LiveRefresh url={publicRouterWsUrl()} query={AdminOrderEventsDocument.toString()} variables={{}} label="the list" minIntervalMs={3000} />
      <form className="filters" method="get" aria-label="Filter orders">
        <div className="field">
          <label htmlFor="order-status">Status</label>
          <select id="order-status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="order-number">Order number</label>
          <input id="order-number" name="number" defaultValue={number} maxLength={20} inputMode="numeric" pattern="#?\s*\d+" title="Digits, e.g. 100234" aria-describedby={fieldError('number') ? 'order-number-error' : undefined} aria-invalid={fieldError('number') ? true : undefined} />
          <FilterError id="order-number-error" message={fieldError('number')} />
        </div>
        <div className="field">
          <label htmlFor="order-email">Customer email</label>
          <input id="order-email" name="email" type="email" defaultValue={email} maxLength={254} aria-describedby={fieldError('customerEmail') ? 'order-email-error' : undefined} aria-invalid={fieldError('customerEmail') ? true : undefined} />
          <FilterError id="order-email-error" message={fieldError('customerEmail')} />
        </div>
        <div className="field">
          <label htmlFor="order-from">Placed from (UTC)</label>
          <input id="order-from" name="from" type="date" defaultValue={from} />
        </div>
        <div className="field">
          <label htmlFor="order-to">Placed to (UTC, inclusive)</label>
          <input id="order-to" name="to" type="date" defaultValue={to} min={from} aria-describedby={fieldError('placedTo') ? 'order-to-error' : undefined} aria-invalid={fieldError('placedTo') ? true : undefined} />
          <FilterError id="order-to-error" message={fieldError('placedTo')} />
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      {problem && !fieldError('number') && !fieldError('customerEmail') && !fieldError('placedTo') ? (
        <p className="form-error" role="alert">
          {problem.message}
        </p>
      ) : null}
      {orders.edges.length === 0 ? (
        <p className="panel empty">No orders match.</p>
      ) : (
        <TableWrap label="Orders">
          <table>
            <caption className="visually-hidden">Orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Customer</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <Link href={`/orders/${node.id}`}>#{node.number}</Link>
                  </td>
                  <td className="nowrap">
                    <When at={node.placedAt} />
                  </td>
                  <td>{node.email ?? <span className="muted">—</span>}</td>
                  <td>
                    <StatusPill status={node.status} />
                  </td>
                  <td className="num">{node.lines.reduce((sum, line) => sum + line.quantity, 0)}</td>
                  <td className="num">{formatMoney(node.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager basePath="/orders" params={{ status, number, email, from, to }} endCursor={orders.pageInfo.endCursor} hasNextPage={orders.pageInfo.hasNextPage} onFirstPage={!after} />
    </>
  );
}
