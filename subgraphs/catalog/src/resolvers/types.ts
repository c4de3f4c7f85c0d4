/**
 * Field resolvers of the catalog's object types. Each one hands its parent to
 * a service, which batches through the request's DataLoaders.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { CatalogContext } from '../context.js';
import type { Category, Product, Review } from '../generated/prisma/client.js';
import type { VariantRow } from '../data/reads.js';
import * as audit from '../service/audit.service.js';
import * as categories from '../service/category.service.js';
import * as pricing from '../service/pricing.service.js';
import * as products from '../service/product.service.js';
import * as reviews from '../service/review.service.js';
import type { CurrencyCode } from '../service/validation.js';
import { entityProductNeeds, productNeeds } from './lookahead.js';
import { PRODUCT_CONNECTION_NODE } from './query.js';

type PageArgs = categories.PageArgs;

export const ProductResolvers = {
  /** Entity reference from another subgraph; batched through the productById loader, with what the fragments read. */
  // @apollo/subgraph passes (reference, context, info); the kit's resolver type only knows the field-resolver order.
  __resolveReference: (reference: { id: string }, ctx: CatalogContext, info: unknown) =>
    products.productReference(ctx, reference.id, entityProductNeeds(info as GraphQLResolveInfo)),
  category: (product: Product, _: unknown, ctx: CatalogContext) => categories.categoryOfProduct(ctx, product),
  images: (product: Product, _: unknown, ctx: CatalogContext) => products.imagesOf(ctx, product),
  variants: (product: Product, _: unknown, ctx: CatalogContext) => products.variantsOf(ctx, product),
  priceRange: (product: Product, args: { currency: CurrencyCode }, ctx: CatalogContext) =>
    pricing.priceRangeOf(ctx, product, args.currency),
  rating: (product: Product) => reviews.ratingOf(product),
  reviews: (product: Product, args: PageArgs, ctx: CatalogContext) => reviews.reviewsOf(ctx, product, args),
};

export const ProductVariantResolvers = {
  __resolveReference: (reference: { id: string }, ctx: CatalogContext) => products.variantReference(ctx, reference.id),
  product: (variant: VariantRow, _: unknown, ctx: CatalogContext) => products.productOfVariant(ctx, variant),
  options: (variant: VariantRow, _: unknown, ctx: CatalogContext) => products.optionsOf(ctx, variant),
  price: (variant: VariantRow, args: { currency: CurrencyCode }, ctx: CatalogContext) =>
    pricing.priceOf(ctx, variant, args.currency),
  prices: (variant: VariantRow, _: unknown, ctx: CatalogContext) => pricing.pricesOf(ctx, variant),
};

export const CategoryResolvers = {
  __resolveReference: (reference: { id: string }, ctx: CatalogContext) =>
    categories.findCategory(ctx, { id: reference.id }),
  parent: (category: Category, _: unknown, ctx: CatalogContext) => categories.parentOf(ctx, category),
  ancestors: (category: Category, _: unknown, ctx: CatalogContext) => categories.ancestorsOf(ctx, category),
  children: (category: Category, args: PageArgs, ctx: CatalogContext) => categories.childrenOf(ctx, category, args),
  products: (category: Category, args: PageArgs, ctx: CatalogContext, info: GraphQLResolveInfo) =>
    products.productsOfCategory(ctx, category, args, productNeeds(info, PRODUCT_CONNECTION_NODE)),
};

export const ReviewResolvers = {
  author: (review: Review) => reviews.authorOf(review),
  product: (review: Review, _: unknown, ctx: CatalogContext) => reviews.productOfReview(ctx, review),
};

export const ReviewConnectionResolvers = {
  totalCount: (connection: reviews.ReviewConnection, _: unknown, ctx: CatalogContext) =>
    reviews.reviewCountOf(ctx, connection.productId),
};

export const ProductConnectionResolvers = {
  totalCount: (connection: products.ProductConnection, _: unknown, ctx: CatalogContext) =>
    products.productCountOf(ctx, connection),
};

export const CategoryConnectionResolvers = {
  totalCount: (connection: categories.CategoryConnection, _: unknown, ctx: CatalogContext) =>
    categories.categoryCountOf(ctx, connection),
};

export const AuditEntryResolvers = audit.AuditEntryResolvers;
export const AuditEntryConnectionResolvers = audit.AuditEntryConnectionResolvers;
