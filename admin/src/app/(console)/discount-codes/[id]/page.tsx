import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { deactivateDiscountCode, updateDiscountCode } from '@/app/actions/discounts';
import { DiscountScheduleFields } from '@/components/discount-fields';
import { ActionForm } from '@/components/form';
import { TableWrap, When, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { isoToLocalInput } from '@/lib/datetime';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Discount code' };

const AdminDiscountCodeQuery = graphql(`
  query AdminDiscountCode($id: ID!) {
    discountCode(id: $id) {
      id
      code
      kind
      percentOff
      amounts {
        amountMinor
        currency
      }
      active
      startsAt
      endsAt
      usageLimit
      perCustomerLimit
      timesUsed
      version
      createdAt
      uses(first: 50) {
        edges {
          node {
            orderId
            usedAt
            email
            order {
              id
              number
            }
          }
        }
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function DiscountCodePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await requireAdmin();
  const { id } = await params;
  const created = param((await searchParams).created) === '1';
  if (!UUID.test(id)) notFound();
  const { discountCode: code } = await executeGraphQL(AdminDiscountCodeQuery, { variables: { id }, accessToken: token });
  if (!code) notFound();
  return (
    <>
      <div className="page-head">
        <h1>{code.code}</h1>
        {code.active ? <span className="pill pill--ok">Active</span> : <span className="pill">Inactive</span>}
        <div className="page-head__actions">
          <Link href="/discount-codes">All codes</Link>
        </div>
      </div>
      {created ? (
        <p className="notice notice--ok" role="status">
          Code created.
        </p>
      ) : null}
      <p className="muted">
        {code.kind === 'PERCENT' ? `${code.percentOff}% off` : `${code.amounts.map((a) => formatMoney(a)).join(' or ')} off`} · used {code.timesUsed}
        {code.usageLimit ? ` of ${code.usageLimit}` : ''} times · version {code.version}
      </p>
      <div className="grid">
        <section className="panel" aria-labelledby="schedule-heading">
          <h2 id="schedule-heading">Schedule and limits</h2>
          <ActionForm action={updateDiscountCode} submitLabel="Save" label="Schedule and limits">
            <input type="hidden" name="id" value={code.id} />
            <input type="hidden" name="expectedVersion" value={code.version} />
            <DiscountScheduleFields
              startsAt={isoToLocalInput(code.startsAt)}
              endsAt={isoToLocalInput(code.endsAt)}
              usageLimit={code.usageLimit}
              perCustomerLimit={code.perCustomerLimit}
            />
          </ActionForm>
        </section>
        {code.active ? (
          <section className="panel" aria-labelledby="deactivate-heading">
            <h2 id="deactivate-heading">Deactivate</h2>
            <ActionForm action={deactivateDiscountCode} submitLabel="Deactivate" label="Deactivate" danger confirm="Deactivate this code?">
              <input type="hidden" name="id" value={code.id} />
              <input type="hidden" name="expectedVersion" value={code.version} />
              <p className="muted">Carts can no longer apply it; orders already placed keep their discount.</p>
            </ActionForm>
          </section>
        ) : null}
      </div>
      <section aria-labelledby="uses-heading">
        <h2 id="uses-heading">Uses</h2>
        {code.uses.edges.length === 0 ? (
          <p className="panel empty">Not used yet.</p>
        ) : (
          <TableWrap label="Uses of this code">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                </tr>
              </thead>
              <tbody>
                {code.uses.edges.map(({ node }) => (
                  <tr key={node.orderId}>
                    <td className="nowrap">
                      <When at={node.usedAt} />
                    </td>
                    <td>
                      <Link href={`/orders/${node.order.id}`}>#{node.order.number}</Link>
                    </td>
                    <td>{node.email ?? '—'}</td>
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
