import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { adjustStock, setLowStockThreshold } from '@/app/actions/inventory';
import { ActionForm, Field, SelectField } from '@/components/form';
import { LiveRefresh } from '@/components/live/live-refresh';
import { TableWrap, When, humanize } from '@/components/ui';
import { AdminStockLevelLiveDocument } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Stock of a variant' };

const AdminVariantStockQuery = graphql(`
  query AdminVariantStock($id: ID!) {
    productVariant(id: $id) {
      id
      sku
      name
      product {
        id
        name
        slug
      }
      availability {
        onHand
        reserved
        available
        lowStock
        warehouses {
          onHand
          reserved
          available
          warehouse {
            id
            code
            name
          }
        }
      }
    }
    warehouses {
      id
      code
      name
    }
  }
`);

const AdminStockLedgerQuery = graphql(`
  query AdminStockLedger($variantId: ID!) {
    stockLevel(variantId: $variantId) {
      sku
      lowStockThreshold
      adjustments(first: 20) {
        totalCount
        edges {
          node {
            id
            kind
            delta
            onHandAfter
            reason
            reasonCode
            at
            actorId
            actor {
              name
            }
            warehouse {
              code
            }
          }
        }
      }
    }
    stockReservations(first: 20, filter: { variantId: $variantId }) {
      edges {
        node {
          id
          quantity
          since
          expiresAt
          status
          order {
            id
            number
          }
        }
      }
    }
  }
`);

const REASON_CODES = [
  ['RECEIVED', 'Goods received'],
  ['COUNT_CORRECTION', 'Stock count'],
  ['DAMAGED', 'Damaged'],
  ['LOST', 'Lost'],
  ['RETURNED', 'Returned'],
  ['OTHER', 'Other'],
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function VariantStockPage({ params }: { params: Promise<{ variantId: string }> }) {
  const { token } = await requireAdmin();
  const { variantId } = await params;
  if (!UUID.test(variantId)) notFound();
  const { productVariant: variant, warehouses } = await executeGraphQL(AdminVariantStockQuery, { variables: { id: variantId }, accessToken: token });
  if (!variant) notFound();
  const stock = variant.availability;
  // The ledger, threshold and reservations; the page still works without them.
  const ledger = await executeGraphQL(AdminStockLedgerQuery, { variables: { variantId: variant.id }, accessToken: token }).catch(() => undefined);
  const level = ledger?.stockLevel;
  const reservations = ledger?.stockReservations.edges.map((edge) => edge.node) ?? [];
  const hidden = <input type="hidden" name="variantId" value={variant.id} />;
  return (
    <>
      <div className="page-head">
        <h1>
          {variant.sku} <span className="muted">· {variant.product.name}, {variant.name}</span>
        </h1>
        <div className="page-head__actions">
          <Link href="/inventory">All stock</Link>
        </div>
      </div>
      <LiveRefresh url={publicRouterWsUrl()} query={AdminStockLevelLiveDocument.toString()} variables={{ sku: variant.sku }} label="stock levels" />
      <ul className="stats" aria-label="Stock now">
        <li className="stat">
          <p className="stat__label">On hand</p>
          <p className="stat__value" data-testid="on-hand">
            {stock.onHand}
          </p>
        </li>
        <li className="stat">
          <p className="stat__label">Reserved</p>
          <p className="stat__value">{stock.reserved}</p>
        </li>
        <li className="stat">
          <p className="stat__label">Available</p>
          <p className="stat__value" data-testid="available">
            {stock.available}
          </p>
          {stock.lowStock ? <p className="stat__detail">At or below its low-stock threshold</p> : null}
        </li>
      </ul>
      <TableWrap label="Stock per warehouse">
        <table>
          <thead>
            <tr>
              <th scope="col">Warehouse</th>
              <th scope="col" className="num">
                On hand
              </th>
              <th scope="col" className="num">
                Reserved
              </th>
              <th scope="col" className="num">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {stock.warehouses.map((row) => (
              <tr key={row.warehouse.id}>
                <td>
                  {row.warehouse.name} ({row.warehouse.code})
                </td>
                <td className="num">{row.onHand}</td>
                <td className="num">{row.reserved}</td>
                <td className="num">{row.available}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <div className="grid" style={{ marginTop: '1.25rem' }}>
        <section className="panel" aria-labelledby="adjust-heading">
          <h2 id="adjust-heading">Adjust stock</h2>
          <ActionForm action={adjustStock} submitLabel="Save adjustment" label="Adjust stock">
            {hidden}
            <SelectField name="warehouseId" label="Warehouse" required defaultValue={stock.warehouses[0]?.warehouse.id ?? warehouses[0]?.id}>
              {warehouses.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name} ({w.code})
                </option>
              ))}
            </SelectField>
            <SelectField name="mode" label="Kind" defaultValue="delta">
              <option value="delta">Add or remove units</option>
              <option value="set">Set the units counted</option>
            </SelectField>
            <Field name="quantity" label="Units" type="number" required step={1} min={-999999} max={999999} inputMode="numeric" hint="E.g. 12 received, -2 damaged, or the count." />
            <SelectField name="reasonCode" label="Kind of reason" defaultValue="RECEIVED">
              {REASON_CODES.map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </SelectField>
            <Field name="reason" label="Reason" required maxLength={500} placeholder="received PO-1234" />
          </ActionForm>
        </section>
        <section className="panel" aria-labelledby="threshold-heading">
          <h2 id="threshold-heading">Low-stock threshold</h2>
          <ActionForm action={setLowStockThreshold} submitLabel="Save threshold" label="Low-stock threshold">
            {hidden}
            <Field name="threshold" label="Threshold (units)" defaultValue={level?.lowStockThreshold} type="number" required min={0} max={999999} step={1} inputMode="numeric" hint="Low stock when available is at or below it (default 5)." />
          </ActionForm>
        </section>
      </div>
      <section aria-labelledby="history-heading" style={{ marginTop: '1.25rem' }}>
        <h2 id="history-heading">Adjustment history{level ? ` (${level.adjustments.totalCount})` : ''}</h2>
        {!level || level.adjustments.edges.length === 0 ? (
          <p className="panel empty">No adjustments yet.</p>
        ) : (
          <TableWrap label="Adjustment history">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Warehouse</th>
                  <th scope="col" className="num">
                    Change
                  </th>
                  <th scope="col" className="num">
                    On hand after
                  </th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {level.adjustments.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td className="nowrap">
                      <When at={node.at} />
                    </td>
                    <td>{node.actor?.name ?? node.actorId ?? 'system'}</td>
                    <td>{node.warehouse.code}</td>
                    <td className="num">{node.delta > 0 ? `+${node.delta}` : node.delta}</td>
                    <td className="num">{node.onHandAfter}</td>
                    <td>
                      {node.reasonCode ? `${humanize(node.reasonCode)}: ` : ''}
                      {node.reason}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      <section aria-labelledby="reservations-heading" style={{ marginTop: '1.25rem' }}>
        <h2 id="reservations-heading">Reservations in flight</h2>
        {reservations.length === 0 ? (
          <p className="panel empty">None: no order is holding this variant now.</p>
        ) : (
          <TableWrap label="Reservations in flight">
            <table>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col" className="num">
                    Units
                  </th>
                  <th scope="col">Since</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {reservations.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link href={`/orders/${r.order.id}`}>#{r.order.number}</Link>
                    </td>
                    <td className="num">{r.quantity}</td>
                    <td className="nowrap">
                      <When at={r.since} />
                    </td>
                    <td className="nowrap">
                      <When at={r.expiresAt} />
                    </td>
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
