import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TOPICS } from '../topics.js';
import { amountMinor, currencyCode, isoTimestamp, money, uuid } from './common.js';

export const productStatusSchema = z.enum(['DRAFT', 'ACTIVE', 'ARCHIVED']);

export const categoryPathEntrySchema = z.object({ id: uuid, slug: z.string().min(1), name: z.string().min(1) });

export const productImageSchema = z.object({ url: z.string().min(1), altText: z.string() });

export const variantOptionSchema = z.object({ name: z.string().min(1), value: z.string() });

export const productVariantSnapshotSchema = z.object({
  variantId: uuid,
  sku: z.string().min(1),
  name: z.string(),
  options: z.array(variantOptionSchema),
  prices: z.array(money),
});

/**
 * The whole product as the catalog sees it after the change. Consumers
 * (search, cart, orders) keep read models, and a full snapshot lets them
 * upsert without ordering tricks or calls back to the catalog.
 */
export const productSnapshotSchema = z.object({
  productId: uuid,
  slug: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  brand: z.string().nullable(),
  status: productStatusSchema,
  categoryId: uuid,
  /** From the root category down to the product's own category. */
  categoryPath: z.array(categoryPathEntrySchema),
  images: z.array(productImageSchema),
  variants: z.array(productVariantSnapshotSchema),
  /** Mean rating 1–5, or null without reviews. A ratio, not money, so a float is fine. */
  ratingAverage: z.number().min(0).max(5).nullable(),
  ratingCount: z.number().int().nonnegative(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

/** A product was created. Aggregate: the product (aggregateId = productId). */
export const ProductCreated = defineEvent({
  type: 'product.created',
  version: 1,
  topic: TOPICS.product,
  schema: productSnapshotSchema,
});

/** Anything about a product changed (prices included); carries the new snapshot. */
export const ProductUpdated = defineEvent({
  type: 'product.updated',
  version: 1,
  topic: TOPICS.product,
  schema: productSnapshotSchema,
});

export const productPriceChangedSchema = z.object({
  productId: uuid,
  variantId: uuid,
  sku: z.string().min(1),
  currency: currencyCode,
  /** Null when the variant had no price in this currency before. */
  previousAmountMinor: amountMinor.nullable(),
  amountMinor,
});

/**
 * One variant's price in one currency changed. Keyed by productId, on the
 * product topic, so it is ordered with the product's other events.
 */
export const ProductPriceChanged = defineEvent({
  type: 'product.price_changed',
  version: 1,
  topic: TOPICS.product,
  schema: productPriceChangedSchema,
});

export type ProductSnapshot = z.output<typeof productSnapshotSchema>;
export type ProductPriceChangedPayload = z.output<typeof productPriceChangedSchema>;
