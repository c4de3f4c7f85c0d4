/**
 * The change events that invalidate cached answers, and the tags (tags.ts)
 * each one invalidates. Only the owning subgraphs' facts are read:
 *   catalog    product.created / product.updated / product.price_changed (commerce.product)
 *   inventory  stock.level_changed (commerce.stock-level)
 *   users      user.deleted (commerce.user): the review author turns null
 * Reviews, categories and user names publish no change events: their hints'
 * maxAge (60 s) is their bound.
 */
import {
  EventValidationError,
  ProductCreated,
  ProductPriceChanged,
  ProductUpdated,
  StockLevelChanged,
  TOPICS,
  UserDeleted,
  type EventEnvelope,
} from '@commerce/events';
import { entityTag, listTag, typeTag } from './tags.ts';

export const INVALIDATING_EVENTS = [ProductCreated, ProductUpdated, ProductPriceChanged, StockLevelChanged, UserDeleted] as const;
export const INVALIDATION_TOPICS: readonly string[] = [TOPICS.product, TOPICS.stockLevel, TOPICS.user];

/** Product.inStock changes only when one of its variants goes in or out of stock; store.ts tells. */
export const PRODUCT_IN_STOCK_TAG = 'f:Product.inStock';

export interface StockLevel {
  variantId: string;
  inStock: boolean;
  /** Orders levels of one variant: an older one arriving late is not a change. */
  changedAt: string;
}

export interface Invalidation {
  tags: string[];
  /** Levels to compare with the last one seen; a flip also invalidates PRODUCT_IN_STOCK_TAG. */
  stockLevels: StockLevel[];
}

const PRODUCT_LISTS = [listTag('Product'), listTag('ProductVariant')];

const productTags = (productId: string, variantIds: readonly string[]): string[] => [
  entityTag(productId),
  ...variantIds.map(entityTag),
  typeTag('Product'),
  typeTag('ProductVariant'),
];

/** What one envelope invalidates, or undefined for events that change nothing cached. */
export function invalidationFor(envelope: EventEnvelope<unknown>): Invalidation | undefined {
  const definition = INVALIDATING_EVENTS.find((event) => event.type === envelope.type);
  if (!definition) return undefined;
  if (definition.version === envelope.version) {
    try {
      return exactInvalidation(envelope);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
    }
  }
  // A version this router does not know yet, or a payload it cannot read: drop all the aggregate can be in.
  return coarseInvalidation(envelope);
}

function coarseInvalidation(envelope: EventEnvelope<unknown>): Invalidation {
  const id = envelope.aggregateId;
  if (envelope.type.startsWith('product.')) return { tags: [...productTags(id, []), ...PRODUCT_LISTS], stockLevels: [] };
  if (envelope.type.startsWith('stock.')) return { tags: [entityTag(id), typeTag('ProductVariant'), PRODUCT_IN_STOCK_TAG], stockLevels: [] };
  return { tags: [entityTag(id), typeTag('User')], stockLevels: [] };
}

function exactInvalidation(envelope: EventEnvelope<unknown>): Invalidation | undefined {
  switch (envelope.type) {
    case ProductCreated.type:
    case ProductUpdated.type: {
      const product = ProductUpdated.parse(envelope.payload);
      // Edits can move a product in or out of lists (status, category, name), so lists go too.
      return { tags: [...productTags(product.productId, product.variants.map((variant) => variant.variantId)), ...PRODUCT_LISTS], stockLevels: [] };
    }
    case ProductPriceChanged.type: {
      const change = ProductPriceChanged.parse(envelope.payload);
      return { tags: productTags(change.productId, [change.variantId]), stockLevels: [] };
    }
    case StockLevelChanged.type: {
      const level = StockLevelChanged.parse(envelope.payload);
      return {
        tags: [entityTag(level.variantId), typeTag('ProductVariant')],
        stockLevels: [{ variantId: level.variantId, inStock: level.inStock, changedAt: level.changedAt }],
      };
    }
    case UserDeleted.type: {
      const { userId } = UserDeleted.parse(envelope.payload);
      return { tags: [entityTag(userId), typeTag('User')], stockLevels: [] };
    }
    default:
      return undefined;
  }
}

/** Decodes a Kafka message value; undefined when it is not an envelope. */
export function decodeEnvelope(value: Buffer | null): EventEnvelope<unknown> | undefined {
  if (!value) return undefined;
  try {
    const decoded: unknown = JSON.parse(value.toString('utf8'));
    return typeof decoded === 'object' && decoded !== null && 'type' in decoded && 'aggregateId' in decoded ? (decoded as EventEnvelope<unknown>) : undefined;
  } catch {
    return undefined;
  }
}
