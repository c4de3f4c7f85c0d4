import type { Metadata } from 'next';
import Link from 'next/link';
import { applyBulkPriceChange } from '@/app/actions/products';
import { ActionForm } from '@/components/form';
import { PageHead, TableWrap, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import type { AdminPreviewBulkPriceQuery, CurrencyCode } from '@/graphql/generated/graphql';
import { parsePriceChange } from '@/lib/bulk-price';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { CURRENCIES, formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Bulk price change' };

const AdminPreviewBulkPriceDocument = graphql(`
  query AdminPreviewBulkPrice($input: BulkPriceChangeInput!) {
    previewBulkPriceChange(input: $input) {
      changedCount
      productCount
      lines {
        sku
        productName
        oldPrice {
          amountMinor
          currency
        }
        newPrice {
          amountMinor
          currency
        }
      }
    }
  }
`);

/** A category's prices in one currency moved by a percentage or an amount: previewed first (GET), then applied (server action). */
export default async function BulkPricePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const categories = await categoryOptions(token);
  const categoryId = categories.find((c) => c.id === param(params.category))?.id;
  const currency = CURRENCIES.find((c) => c === param(params.currency)) ?? 'USD';
  const kind = param(params.kind) === 'amount' ? 'amount' : 'percent';
  const value = param(params.value)?.slice(0, 20) ?? '';
  const change = value ? parsePriceChange(kind, value) : null;
  let preview: AdminPreviewBulkPriceQuery['previewBulkPriceChange'] | undefined;
  let problem: string | undefined;
  if (value && !change) problem = kind === 'percent' ? 'A percentage like 10 or -2.5 (not 0).' : 'An amount like 1.50 or -0.99 (not 0).';
  if (categoryId && change) {
    try {
      preview = (
        await executeGraphQL(AdminPreviewBulkPriceDocument, {
          variables: { input: { categoryId, currency: currency as CurrencyCode, change } },
          accessToken: token,
        })
      ).previewBulkPriceChange;
    } catch (error) {
      if (!(error instanceof GraphQLRequestError) || error.code !== 'BAD_USER_INPUT') throw error;
      problem = error.message;
    }
  }
  return (
    <>
      <PageHead title="Bulk price change">
        <Link href="/products">All products</Link>
      </PageHead>
      <form className="filters" method="get" aria-label="Preview a price change">
        <div className="field">
          <label htmlFor="bulk-category">Category (and below)</label>
          <select id="bulk-category" name="category" defaultValue={categoryId ?? ''} required>
            <option value="" disabled>
              Choose a category
            </option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.path}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="bulk-currency">Currency</label>
          <select id="bulk-currency" name="currency" defaultValue={currency}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="bulk-kind">Change by</label>
          <select id="bulk-kind" name="kind" defaultValue={kind}>
            <option value="percent">Percent</option>
            <option value="amount">Amount</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="bulk-value">How much (negative lowers)</label>
          <input
            id="bulk-value"
            name="value"
            defaultValue={value}
            required
            inputMode="decimal"
            pattern="[+\-]?\d{1,6}([.,]\d{1,2})?"
            title="e.g. 10, -2.5 or 1.50"
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'bulk-value-error' : undefined}
          />
          {problem ? (
            <span id="bulk-value-error" className="field__error">
              {problem}
            </span>
          ) : null}
        </div>
        <button type="submit" className="button button--secondary">
          Preview
        </button>
      </form>
      {preview && categoryId ? (
        <section aria-labelledby="preview-heading">
          <h2 id="preview-heading">
            Preview: {preview.changedCount} prices change in {preview.productCount} products
          </h2>
          <TableWrap label="Prices before and after">
            <table>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">SKU</th>
                  <th scope="col" className="num">
                    Now
                  </th>
                  <th scope="col" className="num">
                    After
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.lines.slice(0, 200).map((line) => (
                  <tr key={line.sku}>
                    <td>{line.productName}</td>
                    <td>{line.sku}</td>
                    <td className="num">{formatMoney(line.oldPrice)}</td>
                    <td className="num">{formatMoney(line.newPrice)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {preview.lines.length > 200 ? <p className="muted">The first 200 of {preview.lines.length} prices are shown.</p> : null}
          <div className="panel" style={{ marginTop: '1rem' }}>
            <ActionForm action={applyBulkPriceChange} submitLabel="Apply this change" label="Apply price change" danger confirm="Change these prices now?">
              <input type="hidden" name="categoryId" value={categoryId} />
              <input type="hidden" name="currency" value={currency} />
              <input type="hidden" name="kind" value={kind} />
              <input type="hidden" name="value" value={value} />
            </ActionForm>
          </div>
        </section>
      ) : null}
    </>
  );
}
