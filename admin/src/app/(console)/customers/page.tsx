import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHead, Pager, TableWrap, When, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Customers' };

const AdminUsersQuery = graphql(`
  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          email
          role
          createdAt
        }
      }
    }
  }
`);

export default async function CustomersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const q = param(params.q)?.slice(0, 200);
  const roleParam = param(params.role);
  const role = roleParam === 'ADMIN' || roleParam === 'CUSTOMER' ? roleParam : undefined;
  const after = param(params.after);
  const { users } = await executeGraphQL(AdminUsersQuery, {
    variables: { first: 25, after, filter: q || role ? { search: q, role } : undefined },
    accessToken: token,
  });
  return (
    <>
      <PageHead title="Customers" count={`${users.totalCount} ${users.totalCount === 1 ? 'account' : 'accounts'}`} />
      <form className="filters" method="get" aria-label="Find customers">
        <div className="field">
          <label htmlFor="customer-q">Email or name</label>
          <input id="customer-q" name="q" type="search" defaultValue={q} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="customer-role">Role</label>
          <select id="customer-role" name="role" defaultValue={role ?? ''}>
            <option value="">Any role</option>
            <option value="CUSTOMER">Customer</option>
            <option value="ADMIN">Admin</option>
          </select>
        </div>
        <button type="submit" className="button button--secondary">
          Find
        </button>
      </form>
      {users.edges.length === 0 ? (
        <p className="panel empty">No account matches.</p>
      ) : (
        <TableWrap label="Accounts">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {users.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <Link href={`/customers/${node.id}`}>{node.name}</Link>
                  </td>
                  <td>{node.email}</td>
                  <td>{node.role === 'ADMIN' ? <span className="pill pill--info">Admin</span> : humanize(node.role)}</td>
                  <td className="nowrap">
                    <When at={node.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager basePath="/customers" params={{ q, role }} endCursor={users.pageInfo.endCursor} hasNextPage={users.pageInfo.hasNextPage} onFirstPage={!after} />
    </>
  );
}
