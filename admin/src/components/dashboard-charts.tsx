'use client';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney, minorToDecimalString } from '@/lib/money';

export interface DayPoint {
  /** "Mon 30", the axis label. */
  day: string;
  orders: number;
  confirmed: number;
  cancelled: number;
  /** Revenue per currency in minor units, e.g. { USD: 12999, EUR: 0 }. */
  revenue: Record<string, number>;
}

const COLOURS = ['#1f4e8c', '#b35c00', '#1d6b36'];

/**
 * The dashboard's charts (recharts). The page hands over numbers it read on
 * the server; recharts draws them after hydration (its SVG needs the
 * container's size), and the same numbers are in the page as a table.
 * Amounts stay integer minor units: the axis and tooltip format them.
 */
export function OrdersChart({ data }: { data: DayPoint[] }) {
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 560, height: 260 }}>
        <BarChart data={data} accessibilityLayer margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fill: '#4d5966', fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fill: '#4d5966', fontSize: 12 }} />
          <Tooltip />
          <Legend />
          <Bar dataKey="orders" name="Placed" fill={COLOURS[0]} radius={[4, 4, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="confirmed" name="Reached confirmed" fill={COLOURS[2]} radius={[4, 4, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="cancelled" name="Cancelled" fill="#a4231b" radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function RevenueChart({ data, currencies }: { data: DayPoint[]; currencies: string[] }) {
  const rows = data.map((point) => ({ day: point.day, ...point.revenue }));
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 560, height: 260 }}>
        <BarChart data={rows} accessibilityLayer margin={{ top: 8, right: 8, bottom: 0, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fill: '#4d5966', fontSize: 12 }} />
          <YAxis
            tick={{ fill: '#4d5966', fontSize: 12 }}
            tickFormatter={(value: number) => minorToDecimalString(Math.round(value), 2).replace(/\.00$/, '')}
          />
          <Tooltip formatter={(value, name) => [formatMoney({ amountMinor: Number(value), currency: String(name) }), String(name)]} />
          <Legend />
          {currencies.map((currency, index) => (
            <Bar key={currency} dataKey={currency} name={currency} fill={COLOURS[index % COLOURS.length]} radius={[4, 4, 0, 0]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
