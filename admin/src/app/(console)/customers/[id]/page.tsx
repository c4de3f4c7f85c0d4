import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { setUserRole } from '@/app/actions/customers';
import { ActionForm } from '@/components/form';
import { StatusPill, TableWrap, When } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Customer' };

const AdminUserQuery = graphql(`
  query AdminUser($id: ID!) {
    user(id: $id) {
      id
      name
      email
      role
      createdAt
      addresses(first: 20) {
        edges {
          node {
            id
            fullName
            line1
            line2
            city
            region
            postalCode
            countryCode
          }
        }
      }
      orders(first: 20) {
        totalCount
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireAdmin();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const { user } = await executeGraphQL(AdminUserQuery, { variables: { id }, accessToken: viewer.token });
  if (!user) notFound();
  const self = user.id === viewer.id;
  return (
    <>
      <div className="page-head">
        <h1>{user.name}</h1>
        {user.role === 'ADMIN' ? <span className="pill pill--info">Admin</span> : null}
        <div className="page-head__actions">
          <Link href="/customers">All customers</Link>
        </div>
      </div>
      <p className="muted">
        {user.email} · since <When at={user.createdAt} />
      </p>
      <div className="grid">
        <section className="panel" aria-labelledby="role-heading">
          <h2 id="role-heading">Admin role</h2>
          {self ? (
            <p className="muted">This is you. Another admin must revoke your role.</p>
          ) : (
            <ActionForm
              action={setUserRole}
              submitLabel={user.role === 'ADMIN' ? 'Revoke admin role' : 'Grant admin role'}
              label="Admin role"
              danger={user.role === 'ADMIN'}
              confirm={user.role === 'ADMIN' ? 'Revoke this account’s admin role?' : 'Make this account an administrator?'}
            >
              <input type="hidden" name="userId" value={user.id} />
              <input type="hidden" name="role" value={user.role === 'ADMIN' ? 'CUSTOMER' : 'ADMIN'} />
              <p className="muted">Their sessions end; the change is recorded in the audit log.</p>
            </ActionForm>
          )}
        </section>
        <section className="panel" aria-labelledby="addresses-heading">
          <h2 id="addresses-heading">Addresses</h2>
          {user.addresses.edges.length === 0 ? (
            <p className="muted">None saved.</p>
          ) : (
            <ul>
              {user.addresses.edges.map(({ node: a }) => (
                <li key={a.id}>
                  {a.fullName}, {a.line1}
                  {a.line2 ? `, ${a.line2}` : ''}, {a.postalCode} {a.city}
                  {a.region ? `, ${a.region}` : ''}, {a.countryCode}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section aria-labelledby="orders-heading">
        <h2 id="orders-heading">Orders ({user.orders.totalCount})</h2>
        {user.orders.edges.length === 0 ? (
          <p className="panel empty">No orders.</p>
        ) : (
          <TableWrap label="Orders of this customer">
            <table>
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
                {user.orders.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td>
                      <Link href={`/orders/${node.id}`}>#{node.number}</Link>
                    </td>
                    <td className="nowrap">
                      <When at={node.placedAt} />
                    </td>
                    <td>
                      <StatusPill status={node.status} />
                    </td>
                    <td className="num">{formatMoney(node.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}
