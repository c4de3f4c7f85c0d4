/**
 * The category tree: lookups, the walk up (parent, ancestors) and down
 * (children), and creating categories (admin). Use this service whenever you
 * need a category or a product's place in the tree; "products of a category"
 * lives in the product service because it is a product listing.
 *
 * Every read goes through the request's DataLoaders, so resolving the tree for
 * a page of products is one statement per relation, not one per product.
 */
import { AppError, ErrorCode, notFound } from '@commerce/errors';
import { whenReady, type MaybePromise } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Category, Product } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { isUniqueViolation } from '../data/prisma.js';
import { decodePositionCursor, pageSize, positionConnection, type Connection } from './pagination.js';
import { exactlyOne, optionalText, requireSlug, requireText, slugify } from './validation.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** A page of categories plus what `totalCount` needs to count lazily: whose children they are ('' for the top level). */
export type CategoryConnection = Connection<Category> & { parentKey: string };

export interface CreateCategoryInput {
  name: string;
  slug?: string | null;
  description?: string | null;
  parentId?: string | null;
}

/** A category by id or slug (exactly one); null when there is none. */
export async function findCategory(
  ctx: CatalogContext,
  args: { id?: string | null; slug?: string | null },
): Promise<Category | null> {
  const key = exactlyOne({ name: 'id', value: args.id }, { name: 'slug', value: args.slug });
  return key.by === 'id' ? ctx.loaders.categoryById.load(key.value) : ctx.loaders.categoryBySlug.load(key.value);
}

/** Top-level categories in display order. */
export async function topCategories(ctx: CatalogContext, args: PageArgs): Promise<CategoryConnection> {
  return childrenOf(ctx, null, args);
}

/** Direct children of a category (null: the top level), in display order. */
export async function childrenOf(
  ctx: CatalogContext,
  parent: Category | null,
  args: PageArgs,
): Promise<CategoryConnection> {
  const first = pageSize(args.first, 50);
  const after = decodePositionCursor(args.after);
  const parentKey = parent?.id ?? '';
  const rows = await ctx.loaders.childCategoriesPage.load({ parent: parentKey, limit: first + 1, after });
  for (const row of rows) ctx.loaders.categoryById.prime(row.id, row);
  return { ...positionConnection(rows, first), parentKey };
}

/** All children of the connection's parent (not just the page); counted only when asked, batched across the request. */
export function categoryCountOf(ctx: CatalogContext, connection: CategoryConnection): Promise<number> {
  return ctx.loaders.childCategoryCount.load(connection.parentKey);
}

/**
 * Read from the ancestors batch (the parent is the last ancestor), so a page
 * asking for both `parent` and `ancestors` costs one statement, not two.
 */
export async function parentOf(ctx: CatalogContext, category: Category): Promise<Category | null> {
  if (!category.parentId) return null;
  return (await ancestorsOf(ctx, category)).at(-1) ?? null;
}

/** From the root down to the parent, for breadcrumbs. */
export async function ancestorsOf(ctx: CatalogContext, category: Category): Promise<Category[]> {
  if (!category.parentId) return [];
  const rows = await ctx.loaders.ancestorsByCategory.load(category.id);
  return rows.map(({ key: _key, depth: _depth, ...ancestor }) => {
    ctx.loaders.categoryById.prime(ancestor.id, ancestor);
    return ancestor;
  });
}

/** Every product has a category (a foreign key guarantees it). */
export function categoryOfProduct(ctx: CatalogContext, product: Product): MaybePromise<Category> {
  return whenReady(ctx.loaders.categoryById.get(product.categoryId), (category) => {
    if (!category) throw new Error(`Product ${product.id} points at missing category ${product.categoryId}`);
    return category;
  });
}

/**
 * Admin: adds a category under `parentId` (or at the top level), after its
 * existing siblings. The slug is derived from the name when omitted.
 */
export async function createCategory(ctx: CatalogContext, input: CreateCategoryInput): Promise<Category> {
  const name = requireText(input.name, 'name', 120);
  const slug = requireSlug(input.slug ?? slugify(name));
  const description = input.description == null ? null : optionalText(input.description, 'description', 2000);
  const parentId = input.parentId ?? null;
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      if (parentId !== null) {
        const parent = isUuid(parentId) ? await tx.category.findUnique({ where: { id: parentId }, select: { id: true } }) : null;
        if (!parent) throw notFound('Parent category', parentId);
      }
      const last = await tx.category.aggregate({ where: { parentId }, _max: { position: true } });
      return tx.category.create({
        data: { name, slug, description, parentId, position: (last._max.position ?? -1) + 1 },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError(ErrorCode.CONFLICT, `A category with slug "${slug}" already exists.`, { details: { field: 'slug' } });
    }
    throw error;
  }
}
