import type { CatalogContext } from '../context.js';
import * as categories from '../service/category.service.js';
import * as products from '../service/product.service.js';

type Args<T> = T & Record<string, unknown>;

/** Root queries: arguments in, service call, result out. */
export const Query = {
  product: (_: unknown, args: Args<{ id?: string | null; slug?: string | null }>, ctx: CatalogContext) =>
    products.findProduct(ctx, args),
  products: (
    _: unknown,
    args: Args<{ first?: number | null; after?: string | null; filter?: products.ProductFilter | null }>,
    ctx: CatalogContext,
  ) => products.listProducts(ctx, args),
  category: (_: unknown, args: Args<{ id?: string | null; slug?: string | null }>, ctx: CatalogContext) =>
    categories.findCategory(ctx, args),
  categories: (_: unknown, args: Args<categories.PageArgs>, ctx: CatalogContext) => categories.topCategories(ctx, args),
  productVariant: (_: unknown, args: Args<{ id?: string | null; sku?: string | null }>, ctx: CatalogContext) =>
    products.findVariant(ctx, args),
};
