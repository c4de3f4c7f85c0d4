import 'server-only';
import { cache } from 'react';
import { ProductPageQuery } from '@/app/p/[slug]/queries';
import type { CurrencyCode, ProductPageQuery as ProductPageResult } from '@/graphql/generated/graphql';
import { CATALOG_REVALIDATE_SECONDS } from '@/lib/config';
import { executeGraphQL } from '@/lib/graphql';

export type ProductDetail = NonNullable<ProductPageResult['product']>;
export type VariantDetail = ProductDetail['variants'][number];

export const REVIEWS_PAGE_SIZE = 5;

/** The product page's one read, cached under `product:<slug>` (shared by generateMetadata and the page). */
export const getProduct = cache(async (slug: string, currency: CurrencyCode, reviewsAfter: string | null) => {
  const data = await executeGraphQL(ProductPageQuery, {
    variables: { slug, currency, reviewsFirst: REVIEWS_PAGE_SIZE, reviewsAfter },
    cache: { tags: ['catalog', `product:${slug}`], revalidate: CATALOG_REVALIDATE_SECONDS },
  });
  return data.product;
});

/** The variant named in the URL (SKU or id), else the first one in stock, else the first. */
export function selectVariant(product: ProductDetail, wanted: string | null): VariantDetail | undefined {
  if (wanted) {
    const match = product.variants.find((v) => v.sku === wanted || v.id === wanted || v.sku.toLowerCase() === wanted.toLowerCase());
    if (match) return match;
  }
  return product.variants.find((v) => v.availability.inStock) ?? product.variants[0];
}

/** Option names in order, each with its distinct values in variant order. */
export function optionGroups(product: ProductDetail): { name: string; values: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const variant of product.variants) {
    for (const option of variant.options) {
      const values = groups.get(option.name) ?? [];
      if (!values.includes(option.value)) values.push(option.value);
      groups.set(option.name, values);
    }
  }
  return [...groups].map(([name, values]) => ({ name, values }));
}

/**
 * The variant a click on `name: value` leads to: one that has that value and
 * keeps as many of the current choices as possible (in stock preferred).
 */
export function variantFor(product: ProductDetail, current: VariantDetail, name: string, value: string): VariantDetail | undefined {
  let best: VariantDetail | undefined;
  let bestScore = -1;
  for (const variant of product.variants) {
    if (!variant.options.some((o) => o.name === name && o.value === value)) continue;
    const kept = variant.options.filter((o) => current.options.some((c) => c.name === o.name && c.value === o.value)).length;
    const score = kept * 2 + (variant.availability.inStock ? 1 : 0);
    if (score > bestScore) {
      best = variant;
      bestScore = score;
    }
  }
  return best;
}

export function stockMessage(availability: VariantDetail['availability']): { text: string; tone: 'in' | 'low' | 'out' } {
  if (!availability.inStock || availability.available <= 0) return { text: 'Out of stock', tone: 'out' };
  if (availability.lowStock) return { text: `Only ${availability.available} left`, tone: 'low' };
  return { text: 'In stock', tone: 'in' };
}
