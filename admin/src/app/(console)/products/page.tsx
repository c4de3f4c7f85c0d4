import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHead, Pager, StatusPill, TableWrap, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';
import { executeGraphQL } from '@/lib/graphql';
import { formatMoney } from '@/lib/money';
import { PRODUCT_STATUSES } from '@/lib/products';

export const metadata: Metadata = { title: 'Products' };

const AdminProductsQuery = graphql(`
  query AdminProducts($first: Int!, $after: String, $filter: AdminProductFilter) {
    adminProducts(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AdminProductRow
        }
      }
    }
  }
`);

graphql(`
  fragment AdminProductRow on Product {
    id
    name
    slug
    status
    brand
    updatedAt
    category {
      id
      name
    }
    variants {
      id
    }
    priceRange(currency: USD) {
      min {
        amountMinor
        currency
      }
    }
  }
`);

export default async function ProductsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const q = param(params.q)?.slice(0, 200);
  const categoryId = param(params.category);
  const after = param(params.after);
  const statusParam = param(params.status);
  const status = PRODUCT_STATUSES.find((value) => value === statusParam);
  const [categories, list] = await Promise.all([
    categoryOptions(token),
    executeGraphQL(AdminProductsQuery, {
      variables: { first: 25, after, filter: { search: q, categoryId, status: status ? [status] : undefined } },
      accessToken: token,
    }).then((data) => data.adminProducts),
  ]);
  return (
    <>
      <PageHead title="Products" count={`${list.totalCount} ${list.totalCount === 1 ? 'product' : 'products'}`}>
        <Link href="/products/bulk-price" className="button button--secondary">
          Bulk price change
        </Link>
        <Link href="/products/new" className="button">
          New product
        </Link>
      </PageHead>
      <form className="filters" method="get" aria-label="Filter products">
        <div className="field">
          <label htmlFor="product-q">Search</label>
          <input id="product-q" name="q" type="search" defaultValue={q} maxLength={200} placeholder="Name, brand…" />
        </div>
        <div className="field">
          <label htmlFor="product-category">Category</label>
          <select id="product-category" name="category" defaultValue={categoryId ?? ''}>
            <option value="">Any category</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.path}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="product-status">Status</label>
          <select id="product-status" name="status" defaultValue={status ?? ''}>
            <option value="">Any status</option>
            {PRODUCT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      {list.edges.length === 0 ? (
        <p className="panel empty">No products match.</p>
      ) : (
        <TableWrap label="Products">
          <table>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Category</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Variants
                </th>
                <th scope="col" className="num">
                  From (USD)
                </th>
              </tr>
            </thead>
            <tbody>
              {list.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <Link href={`/products/${node.id}`}>{node.name}</Link>
                    {node.brand ? <span className="muted"> · {node.brand}</span> : null}
                  </td>
                  <td>{node.category.name}</td>
                  <td>
                    <StatusPill status={node.status} />
                  </td>
                  <td className="num">{node.variants.length}</td>
                  <td className="num">{node.priceRange ? formatMoney(node.priceRange.min) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager basePath="/products" params={{ q, category: categoryId, status }} endCursor={list.pageInfo.endCursor} hasNextPage={list.pageInfo.hasNextPage} onFirstPage={!after} />
    </>
  );
}
