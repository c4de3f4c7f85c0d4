import type { CatalogContext } from '../context.js';
import * as bulk from '../service/bulk-price.service.js';
import * as categories from '../service/category.service.js';
import * as pricing from '../service/pricing.service.js';
import * as products from '../service/product.service.js';
import * as reviews from '../service/review.service.js';
import * as variants from '../service/variant.service.js';

/** Mutations; who may call each one is in permissions.ts. */
export const Mutation = {
  createCategory: (_: unknown, args: { input: categories.CreateCategoryInput }, ctx: CatalogContext) =>
    categories.createCategory(ctx, args.input),
  createProduct: (_: unknown, args: { input: products.CreateProductInput }, ctx: CatalogContext) =>
    products.createProduct(ctx, args.input),
  updateProduct: (_: unknown, args: { input: products.UpdateProductInput }, ctx: CatalogContext) =>
    products.updateProduct(ctx, args.input),
  archiveProduct: (_: unknown, args: { input: products.ProductStatusInput }, ctx: CatalogContext) =>
    products.changeProductStatus(ctx, 'archiveProduct', args.input),
  publishProduct: (_: unknown, args: { input: products.ProductStatusInput }, ctx: CatalogContext) =>
    products.changeProductStatus(ctx, 'publishProduct', args.input),
  restoreProduct: (_: unknown, args: { input: products.ProductStatusInput }, ctx: CatalogContext) =>
    products.changeProductStatus(ctx, 'restoreProduct', args.input),
  setVariantPrices: (_: unknown, args: { input: pricing.SetVariantPricesInput }, ctx: CatalogContext) =>
    pricing.setVariantPrices(ctx, args.input),
  addProductVariant: (_: unknown, args: { input: variants.AddProductVariantInput }, ctx: CatalogContext) =>
    variants.addProductVariant(ctx, args.input),
  updateProductVariant: (_: unknown, args: { input: variants.UpdateProductVariantInput }, ctx: CatalogContext) =>
    variants.updateProductVariant(ctx, args.input),
  applyBulkPriceChange: (_: unknown, args: { input: bulk.BulkPriceChangeInput }, ctx: CatalogContext) =>
    bulk.applyBulkPriceChange(ctx, args.input),
  updateCategory: (_: unknown, args: { input: categories.UpdateCategoryInput }, ctx: CatalogContext) =>
    categories.updateCategory(ctx, args.input),
  createReview: (_: unknown, args: { input: reviews.CreateReviewInput }, ctx: CatalogContext) =>
    reviews.createReview(ctx, args.input),
};
