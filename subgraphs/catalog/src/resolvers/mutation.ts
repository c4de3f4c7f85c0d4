import type { CatalogContext } from '../context.js';
import * as categories from '../service/category.service.js';
import * as pricing from '../service/pricing.service.js';
import * as products from '../service/product.service.js';
import * as reviews from '../service/review.service.js';

/** Mutations; who may call each one is in permissions.ts. */
export const Mutation = {
  createCategory: (_: unknown, args: { input: categories.CreateCategoryInput }, ctx: CatalogContext) =>
    categories.createCategory(ctx, args.input),
  createProduct: (_: unknown, args: { input: products.CreateProductInput }, ctx: CatalogContext) =>
    products.createProduct(ctx, args.input),
  updateProduct: (_: unknown, args: { input: products.UpdateProductInput }, ctx: CatalogContext) =>
    products.updateProduct(ctx, args.input),
  archiveProduct: (_: unknown, args: { input: { id: string } }, ctx: CatalogContext) =>
    products.archiveProduct(ctx, args.input),
  setVariantPrices: (_: unknown, args: { input: pricing.SetVariantPricesInput }, ctx: CatalogContext) =>
    pricing.setVariantPrices(ctx, args.input),
  createReview: (_: unknown, args: { input: reviews.CreateReviewInput }, ctx: CatalogContext) =>
    reviews.createReview(ctx, args.input),
};
