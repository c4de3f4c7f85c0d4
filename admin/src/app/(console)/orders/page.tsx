import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHead, Pager, StatusPill, TableWrap, When, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import type { OrderStatus } from '@/graphql/generated/graphql';
import { ORDER_STATUSES } from '@/lib/orders';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Orders' };

const AdminOrdersQuery = graphql(`
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

const isStatus = (value: string | undefined): value is OrderStatus => ORDER_STATUSES.includes(value as OrderStatus);

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const statusParam = param(params.status);
  const status = isStatus(statusParam) ? statusParam : undefined;
  const after = param(params.after);
  const { orders } = await executeGraphQL(AdminOrdersQuery, {
    variables: { first: 25, after, filter: status ? { status } : undefined },
    accessToken: token,
  });
  return (
    <>
      <PageHead title="Orders" count={`${orders.totalCount} ${orders.totalCount === 1 ? 'order' : 'orders'}`} />
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
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      {orders.edges.length === 0 ? (
        <p className="panel empty">No orders{status ? ` in status ${humanize(status)}` : ''}.</p>
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
      <Pager basePath="/orders" params={{ status }} endCursor={orders.pageInfo.endCursor} hasNextPage={orders.pageInfo.hasNextPage} onFirstPage={!after} />
    </>
  );
}
