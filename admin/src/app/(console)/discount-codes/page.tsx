import type { Metadata } from 'next';
import Link from 'next/link';
import { createDiscountCode } from '@/app/actions/discounts';
import { DiscountScheduleFields } from '@/components/discount-fields';
import { ActionForm, Field, MoneyField, SelectField } from '@/components/form';
import { PageHead, Pager, TableWrap, When, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';
import { CURRENCIES, formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Discount codes' };

const AdminDiscountCodesQuery = graphql(`
  query AdminDiscountCodes($first: Int!, $after: String, $filter: DiscountCodeFilter) {
    discountCodes(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
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
          timesUsed
          usageLimit
        }
      }
    }
  }
`);

export default async function DiscountCodesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const q = param(params.q)?.slice(0, 32);
  const activeParam = param(params.active);
  const active = activeParam === 'yes' ? true : activeParam === 'no' ? false : undefined;
  const after = param(params.after);
  const { discountCodes } = await executeGraphQL(AdminDiscountCodesQuery, {
    variables: { first: 25, after, filter: { search: q, active } },
    accessToken: token,
  });
  return (
    <>
      <PageHead title="Discount codes" count={`${discountCodes.totalCount} ${discountCodes.totalCount === 1 ? 'code' : 'codes'}`} />
      <div className="grid">
        <section aria-labelledby="codes-heading">
          <h2 id="codes-heading" className="visually-hidden">
            Codes
          </h2>
          <form className="filters" method="get" aria-label="Filter codes">
            <div className="field">
              <label htmlFor="code-q">Code</label>
              <input id="code-q" name="q" type="search" defaultValue={q} maxLength={32} />
            </div>
            <div className="field">
              <label htmlFor="code-active">Active</label>
              <select id="code-active" name="active" defaultValue={activeParam ?? ''}>
                <option value="">Any</option>
                <option value="yes">Active</option>
                <option value="no">Inactive</option>
              </select>
            </div>
            <button type="submit" className="button button--secondary">
              Filter
            </button>
          </form>
          {discountCodes.edges.length === 0 ? (
            <p className="panel empty">No codes.</p>
          ) : (
            <TableWrap label="Discount codes">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Off</th>
                    <th scope="col">Valid</th>
                    <th scope="col" className="num">
                      Used
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {discountCodes.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <td>
                        <Link href={`/discount-codes/${node.id}`}>{node.code}</Link>
                        {node.active ? null : <span className="pill"> inactive</span>}
                      </td>
                      <td>{node.kind === 'PERCENT' ? `${node.percentOff}%` : node.amounts.map((a) => formatMoney(a)).join(' · ')}</td>
                      <td>
                        {node.startsAt ? <When at={node.startsAt} /> : 'now'} → {node.endsAt ? <When at={node.endsAt} /> : 'no end'}
                      </td>
                      <td className="num">
                        {node.timesUsed}
                        {node.usageLimit ? ` / ${node.usageLimit}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <Pager basePath="/discount-codes" params={{ q, active: activeParam }} endCursor={discountCodes.pageInfo.endCursor} hasNextPage={discountCodes.pageInfo.hasNextPage} onFirstPage={!after} />
        </section>
        <section className="panel" aria-labelledby="new-code">
          <h2 id="new-code">New code</h2>
          <ActionForm action={createDiscountCode} submitLabel="Create code" label="New discount code">
            <Field name="code" label="Code" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_\-]{3,32}" title="3 to 32 letters, digits, - or _" autoComplete="off" />
            <SelectField name="kind" label="Kind" defaultValue="PERCENT">
              <option value="PERCENT">Percent off</option>
              <option value="FIXED">Fixed amount off</option>
            </SelectField>
            <Field name="percentOff" label="Percent off (percent codes)" type="number" min={1} max={100} step={1} inputMode="numeric" />
            <fieldset>
              <legend>Amount off (fixed codes)</legend>
              <div className="row">
                {CURRENCIES.map((currency) => (
                  <MoneyField key={currency} name={`amount.${currency}`} label="Amount" currency={currency} />
                ))}
              </div>
            </fieldset>
            <DiscountScheduleFields />
          </ActionForm>
        </section>
      </div>
    </>
  );
}
