import { siteUrl } from '@/lib/config';
import { minorToDecimalString } from '@/lib/money';

/** An absolute URL on this shop, for canonical links, Open Graph and the sitemap. */
export function absoluteUrl(path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${siteUrl()}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** A stored image URL (absolute, or root-relative to this shop) as an absolute URL. */
export function absoluteImageUrl(url: string): string {
  return url.startsWith('/') && !url.startsWith('//') ? absoluteUrl(url) : url;
}

/** Filtered, sorted or paged listings: followed, never indexed (their canonical is the bare listing). */
export const NOINDEX_FOLLOW = { index: false, follow: true } as const;

/** 1999 USD → "19.99": the decimal string schema.org wants, from minor units without floats. */
export function priceDecimalString(money: { amountMinor: number; currency: string }): string {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return minorToDecimalString(money.amountMinor, digits);
}

/** Serialises JSON-LD for a <script> element: `<` escaped so no text can close the script. */
export function jsonLdString(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Shortens a description for a meta description (about 160 characters, on a word boundary). */
export function metaDescription(text: string | null | undefined, fallback: string): string {
  const clean = (text ?? '').replace(/\s+/g, ' ').trim();
  if (!clean) return fallback;
  if (clean.length <= 160) return clean;
  const cut = clean.slice(0, 157);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 100))}…`;
}
