import type { GraphQLResolveInfo } from 'graphql';
import type { CatalogContext } from '../context.js';
import * as audit from '../service/audit.service.js';
import * as bulk from '../service/bulk-price.service.js';
import * as categories from '../service/category.service.js';
import * as products from '../service/product.service.js';
import { productNeeds } from './lookahead.js';

type Args<T> = T & Record<string, unknown>;

/** Where a connection's products are, below the connection field. */
export const PRODUCT_CONNECTION_NODE = ['edges', 'node'] as const;

/** Root queries: arguments in, service call, result out. */
export const Query = {
  product: (
    _: unknown,
    args: Args<{ id?: string | null; slug?: string | null }>,
    ctx: CatalogContext,
    info: GraphQLResolveInfo,
  ) => products.findProduct(ctx, args, productNeeds(info)),
  products: (
    _: unknown,
    args: Args<{ first?: number | null; after?: string | null; filter?: products.ProductFilter | null }>,
    ctx: CatalogContext,
    info: GraphQLResolveInfo,
  ) => products.listProducts(ctx, args, productNeeds(info, PRODUCT_CONNECTION_NODE)),
  category: (_: unknown, args: Args<{ id?: string | null; slug?: string | null }>, ctx: CatalogContext) =>
    categories.findCategory(ctx, args),
  categories: (_: unknown, args: Args<categories.CategoriesArgs>, ctx: CatalogContext) => categories.listCategories(ctx, args),
  productVariant: (_: unknown, args: Args<{ id?: string | null; sku?: string | null }>, ctx: CatalogContext) =>
    products.findVariant(ctx, args),
  adminProducts: (
    _: unknown,
    args: Args<{ first?: number | null; after?: string | null; filter?: products.AdminProductFilter | null }>,
    ctx: CatalogContext,
    info: GraphQLResolveInfo,
  ) => products.listAdminProducts(ctx, args, productNeeds(info, PRODUCT_CONNECTION_NODE)),
  previewBulkPriceChange: (_: unknown, args: { input: bulk.BulkPriceChangeInput }, ctx: CatalogContext) =>
    bulk.previewBulkPriceChange(ctx, args.input),
  catalogAuditLog: (
    _: unknown,
    args: Args<{ first?: number | null; after?: string | null; filter?: audit.AuditLogFilter | null }>,
    ctx: CatalogContext,
  ) => audit.auditLog(ctx, args),
};
