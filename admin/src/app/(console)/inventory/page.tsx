import type { Metadata } from 'next';
import Link from 'next/link';
import { LiveRefresh } from '@/components/live/live-refresh';
import { PageHead, Pager, TableWrap, param } from '@/components/ui';
import { AdminStockLevelLiveDocument } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Inventory' };

const AdminStockLevelsQuery = graphql(`
  query AdminStockLevels($first: Int!, $after: String, $filter: StockLevelFilter) {
    warehouses {
      id
      code
      name
    }
    stockLevels(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          sku
          onHand
          reserved
          available
          lowStock
          lowStockThreshold
          updatedAt
          variant {
            id
            name
            product {
              id
              name
            }
          }
          warehouses {
            onHand
            reserved
            available
            warehouse {
              id
              code
            }
          }
        }
      }
    }
  }
`);

export default async function InventoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const low = param(params.low) === '1';
  const after = param(params.after);
  const sku = param(params.sku)?.trim().slice(0, 64);
  const warehouseParam = param(params.warehouse);
  const warehouseId = warehouseParam && /^[0-9a-f-]{36}$/i.test(warehouseParam) ? warehouseParam : undefined;
  const { stockLevels, warehouses } = await executeGraphQL(AdminStockLevelsQuery, {
    variables: { first: 25, after, filter: { lowStockOnly: low, search: sku || undefined, warehouseId } },
    accessToken: token,
  });
  return (
    <>
      <PageHead title="Inventory" count={`${stockLevels.totalCount} ${stockLevels.totalCount === 1 ? 'variant' : 'variants'}`}>
        {low ? <Link href="/inventory">Every variant</Link> : <Link href="/inventory?low=1">Below threshold only</Link>}
      </PageHead>
      <p className="muted">
        {low ? 'Variants at or below their low-stock threshold (sold out included).' : 'Stock per variant, summed over warehouses.'} Choose a SKU to adjust its
        stock or threshold.
      </p>
      <LiveRefresh url={publicRouterWsUrl()} query={AdminStockLevelLiveDocument.toString()} variables={{ sku: null }} label="stock levels" minIntervalMs={3_000} />
      <form className="filters" method="get" aria-label="Find stock">
        <div className="field">
          <label htmlFor="stock-sku">SKU contains</label>
          <input id="stock-sku" name="sku" type="search" defaultValue={sku} maxLength={64} />
        </div>
        <div className="field">
          <label htmlFor="stock-warehouse">Warehouse</label>
          <select id="stock-warehouse" name="warehouse" defaultValue={warehouseId ?? ''}>
            <option value="">Every warehouse</option>
            {warehouses.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.code})
              </option>
            ))}
          </select>
        </div>
        {low ? <input type="hidden" name="low" value="1" /> : null}
        <button type="submit" className="button button--secondary">
          Find
        </button>
      </form>
      {stockLevels.edges.length === 0 ? (
        <p className="panel empty">{low ? 'Nothing is below its threshold.' : 'No stock yet.'}</p>
      ) : (
        <TableWrap label="Stock levels">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Product · variant</th>
                <th scope="col" className="num">
                  On hand
                </th>
                <th scope="col" className="num">
                  Reserved
                </th>
                <th scope="col" className="num">
                  Available
                </th>
                <th scope="col" className="num">
                  Threshold
                </th>
                <th scope="col">Per warehouse</th>
              </tr>
            </thead>
            <tbody>
              {stockLevels.edges.map(({ node }) => (
                <tr key={node.variant.id}>
                  <td className="nowrap">
                    <Link href={`/inventory/${node.variant.id}`}>{node.sku}</Link>
                  </td>
                  <td>
                    {node.variant.product.name} · {node.variant.name}
                  </td>
                  <td className="num">{node.onHand}</td>
                  <td className="num">{node.reserved}</td>
                  <td className="num">
                    {node.available}
                    {node.lowStock ? <span className="pill pill--warn"> low</span> : null}
                  </td>
                  <td className="num">{node.lowStockThreshold}</td>
                  <td className="nowrap">{node.warehouses.map((w) => `${w.warehouse.code}: ${w.available}`).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager
        basePath="/inventory"
        params={{ low: low ? '1' : undefined, sku, warehouse: warehouseId }}
        endCursor={stockLevels.pageInfo.endCursor}
        hasNextPage={stockLevels.pageInfo.hasNextPage}
        onFirstPage={!after}
      />
    </>
  );
}
