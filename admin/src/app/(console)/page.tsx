import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/live/live-refresh';
import { AdminOrderEventsDocument } from '@/graphql/generated/graphql';
import { publicRouterWsUrl } from '@/lib/config';
import Link from 'next/link';
import { OrdersChart, RevenueChart } from '@/components/dashboard-charts';
import { PageHead, TableWrap, param } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';
import { TIME_ZONES, dashboardData } from '@/lib/dashboard';
import { formatMoney } from '@/lib/money';

export const metadata: Metadata = { title: 'Dashboard' };

// Day keys are calendar dates (YYYY-MM-DD) in the chosen zone: read as UTC midnight, they label as themselves.
const dayLabel = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });

function moneyList(revenue: Record<string, number>, currencies: string[]): string {
  return currencies.map((currency) => formatMoney({ amountMinor: revenue[currency] ?? 0, currency })).join(' · ');
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const tzParam = param((await searchParams).tz);
  const timeZone = TIME_ZONES.find((zone) => zone === tzParam) ?? 'UTC';
  const data = await dashboardData(token, timeZone);
  const points = data.days.map((day) => ({ day: dayLabel.format(new Date(`${day.date}T00:00:00Z`)), orders: day.orders, confirmed: day.confirmed, cancelled: day.cancelled, revenue: day.revenue }));
  return (
    <>
      <PageHead title="Dashboard" count={`Days in ${timeZone}`}>
        <form method="get" className="form--inline inline-filter" aria-label="Time zone">
          <label htmlFor="dashboard-tz" className="visually-hidden">
            Time zone
          </label>
          <select id="dashboard-tz" name="tz" defaultValue={timeZone}>
            {TIME_ZONES.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--secondary">
            Show
          </button>
        </form>
      </PageHead>
      <LiveRefresh url={publicRouterWsUrl()} query={AdminOrderEventsDocument.toString()} variables={{}} label="the figures" minIntervalMs={5000} />
      <ul className="stats" aria-label="Key figures">
        <li className="stat">
          <p className="stat__label">Orders today</p>
          <p className="stat__value">{data.today.orders}</p>
          <p className="stat__detail">{moneyList(data.today.revenue, data.currencies)}</p>
        </li>
        <li className="stat">
          <p className="stat__label">Orders in the last 7 days</p>
          <p className="stat__value">{data.week.orders}</p>
          <p className="stat__detail">{moneyList(data.week.revenue, data.currencies)}</p>
        </li>
        <li className="stat">
          <p className="stat__label">Checkouts confirmed (7 days)</p>
          <p className="stat__value">
            <Link href="/orders?status=CONFIRMED">{data.week.confirmed}</Link>
          </p>
          <p className="stat__detail">today {data.today.confirmed}</p>
        </li>
        <li className="stat">
          <p className="stat__label">Cancelled (7 days)</p>
          <p className="stat__value">
            <Link href="/orders?status=CANCELLED">{data.week.cancelled}</Link>
          </p>
          <p className="stat__detail">today {data.today.cancelled}</p>
        </li>
        <li className="stat">
          <p className="stat__label">Failed payments (7 days)</p>
          <p className="stat__value">
            <Link href="/orders?status=PAYMENT_FAILED">{data.week.paymentFailed}</Link>
          </p>
          <p className="stat__detail">today {data.today.paymentFailed}</p>
        </li>
      </ul>
      <div className="grid">
        <section className="panel" aria-labelledby="chart-orders">
          <figure className="chart-figure">
            <figcaption id="chart-orders">Orders per day: placed, reached confirmed, cancelled</figcaption>
            <OrdersChart data={points} />
          </figure>
        </section>
        <section className="panel" aria-labelledby="chart-revenue">
          <figure className="chart-figure">
            <figcaption id="chart-revenue">Revenue per day and currency</figcaption>
            <RevenueChart data={points} currencies={data.currencies} />
          </figure>
        </section>
      </div>
      <details className="data-table panel">
        <summary>The charts' numbers as a table</summary>
        <TableWrap label="Orders and revenue per day">
          <table>
            <thead>
              <tr>
                <th scope="col">Day ({timeZone})</th>
                <th scope="col" className="num">
                  Orders
                </th>
                <th scope="col" className="num">
                  Confirmed
                </th>
                <th scope="col" className="num">
                  Cancelled
                </th>
                {data.currencies.map((currency) => (
                  <th key={currency} scope="col" className="num">
                    Revenue {currency}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.days.map((day) => (
                <tr key={day.date}>
                  <td>{day.date}</td>
                  <td className="num">{day.orders}</td>
                  <td className="num">{day.confirmed}</td>
                  <td className="num">{day.cancelled}</td>
                  {data.currencies.map((currency) => (
                    <td key={currency} className="num">
                      {formatMoney({ amountMinor: day.revenue[currency] ?? 0, currency })}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
      <section className="panel" aria-labelledby="low-stock">
        <h2 id="low-stock">Low stock</h2>
        {data.lowStock.length === 0 ? (
          <p className="muted">Nothing is at or below its threshold.</p>
        ) : (
          <ul>
            {data.lowStock.map((item) => (
              <li key={item.variantId}>
                <Link href={`/inventory/${item.variantId}`}>{item.sku}</Link> {item.label}: {item.available} available (threshold {item.threshold})
              </li>
            ))}
          </ul>
        )}
        {data.lowStockCount > data.lowStock.length ? <Link href="/inventory?low=1">All {data.lowStockCount} below their threshold</Link> : null}
      </section>
    </>
  );
}
