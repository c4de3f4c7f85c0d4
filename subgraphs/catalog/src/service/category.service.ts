/**
 * The category tree: lookups, the walk up (parent, ancestors) and down
 * (children), and creating categories (admin). Use this service whenever you
 * need a category or a product's place in the tree; "products of a category"
 * lives in the product service because it is a product listing.
 *
 * Every read goes through the request's DataLoaders, so resolving the tree for
 * a page of products is one statement per relation, not one per product.
 */
import { AppError, ErrorCode, badInput, notFound } from '@commerce/errors';
import { toConnection, whenReady, type MaybePromise } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Category, Product } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { ALL_CATEGORIES } from '../data/loaders.js';
import { isUniqueViolation, type CatalogTx } from '../data/prisma.js';
import {
  isInSubtree,
  lockCategory,
  lockCategoryTree,
  lockProductsInSubtree,
  renumberCategories,
  siblingIds,
  touchProducts,
} from '../data/queries.js';
import { categoriesInTreeOrder } from '../data/reads.js';
import { publishProductUpdated } from '../events/publish.js';
import { diff, recordAudit } from './audit.service.js';
import { checkVersion } from './concurrency.js';
import {
  decodePositionCursor,
  decodeTreeCursor,
  encodeTreeCursor,
  pageSize,
  positionConnection,
  type Connection,
} from './pagination.js';
import { exactlyOne, optionalText, requireSlug, requireText, slugify } from './validation.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Which categories `Query.categories` lists (the schema's CategoryScope). */
export type CategoryScope = 'TOP_LEVEL' | 'ALL';

export interface CategoriesArgs extends PageArgs {
  scope?: CategoryScope | null;
}

/**
 * A page of categories plus what `totalCount` needs to count lazily: whose
 * children they are ('' for the top level, ALL_CATEGORIES for the whole tree).
 */
export type CategoryConnection = Connection<Category> & { parentKey: string };

export interface CreateCategoryInput {
  name: string;
  slug?: string | null;
  description?: string | null;
  parentId?: string | null;
}

export interface UpdateCategoryInput {
  id: string;
  name?: string | null;
  slug?: string | null;
  /** Omitted: unchanged; null or "": cleared. */
  description?: string | null;
  /** Omitted: unchanged; null: moved to the top level. */
  parentId?: string | null;
  /** 0-based place among its (new) siblings; omitted: unchanged, or last after a move. */
  position?: number | null;
  expectedVersion?: number | null;
}

/** A category by id or slug (exactly one); null when there is none. */
export async function findCategory(
  ctx: CatalogContext,
  args: { id?: string | null; slug?: string | null },
): Promise<Category | null> {
  const key = exactlyOne({ name: 'id', value: args.id }, { name: 'slug', value: args.slug });
  return key.by === 'id' ? ctx.loaders.categoryById.load(key.value) : ctx.loaders.categoryBySlug.load(key.value);
}

/**
 * `Query.categories`: the top level in display order (the default), or with
 * scope ALL every category at any depth in tree order (depth first: each
 * category right after its parent, siblings in display order), so a client
 * lists the whole tree page by page at one statement per page, however deep it is.
 */
export async function listCategories(ctx: CatalogContext, args: CategoriesArgs): Promise<CategoryConnection> {
  if (args.scope !== 'ALL') return childrenOf(ctx, null, args);
  const first = pageSize(args.first, 50);
  const rows = await categoriesInTreeOrder(ctx.sql, first + 1, decodeTreeCursor(args.after));
  for (const row of rows) ctx.loaders.categoryById.prime(row.id, row);
  return { ...toConnection(rows, first, (row) => encodeTreeCursor(row.treeKey)), parentKey: ALL_CATEGORIES };
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

/** All children of the connection's parent, or every category (not just the page); counted only when asked, batched across the request. */
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
      await lockCategoryTree(tx);
      if (parentId !== null) {
        const parent = isUuid(parentId) ? await tx.category.findUnique({ where: { id: parentId }, select: { id: true } }) : null;
        if (!parent) throw notFound('Parent category', parentId);
      }
      const last = await tx.category.aggregate({ where: { parentId }, _max: { position: true } });
      const category = await tx.category.create({
        data: { name, slug, description, parentId, position: (last._max.position ?? -1) + 1 },
      });
      await recordAudit(ctx, tx, 'createCategory', [
        { targetType: 'Category', targetId: category.id, changes: { input: { name, slug, description, parentId } } },
      ]);
      return category;
    });
  } catch (error) {
    throw slugConflict(error, slug);
  }
}

function slugConflict(error: unknown, slug: string | undefined): unknown {
  if (isUniqueViolation(error)) {
    return new AppError(ErrorCode.CONFLICT, `A category with slug "${slug}" already exists.`, { details: { field: 'slug' } });
  }
  return error;
}

/**
 * Admin: renames, moves (to another parent, or the top level with
 * `parentId: null`) and reorders a category. `position` is its 0-based place
 * among its siblings (clamped to the end); the siblings are renumbered
 * 0, 1, 2… so the order stays dense. Products keep their category: a moved
 * category takes its whole subtree and every product in it along, and each
 * of those products publishes product.updated (their category path changed)
 * so search and the router's cache follow; a rename does the same.
 * Errors: NOT_FOUND (category or new parent), BAD_USER_INPUT (a move under
 * itself or its own descendant, a bad name or slug), CONFLICT (slug taken, or
 * `expectedVersion` not current; `currentVersion` says what it is).
 */
export async function updateCategory(ctx: CatalogContext, input: UpdateCategoryInput): Promise<Category> {
  const name = input.name == null ? undefined : requireText(input.name, 'name', 120);
  const slug = input.slug == null ? undefined : requireSlug(input.slug);
  const description =
    input.description === undefined ? undefined : optionalText(input.description, 'description', 2000) || null;
  if (input.position != null && (!Number.isInteger(input.position) || input.position < 0)) {
    throw badInput('position is a whole number from 0.', 'position');
  }
  try {
    return await ctx.prisma.$transaction(
      async (tx) => {
        await lockCategoryTree(tx);
        const before = isUuid(input.id) ? await lockCategory(tx, input.id) : null;
        if (!before) throw notFound('Category', input.id);
        checkVersion('category', before.version, input.expectedVersion);
        const parentId = input.parentId === undefined ? before.parentId : input.parentId;
        const moved = parentId !== before.parentId;
        if (moved && parentId !== null) await requireNewParent(tx, before.id, parentId);
        const position = moved || input.position != null ? await place(tx, before, parentId, input.position ?? null) : before.position;
        const unchanged =
          !moved &&
          position === before.position &&
          (name === undefined || name === before.name) &&
          (slug === undefined || slug === before.slug) &&
          (description === undefined || description === before.description);
        // Nothing to change: no new version, no audit entry (as publishing an ACTIVE product).
        if (unchanged) return before;
        const category = await tx.category.update({
          where: { id: before.id },
          data: {
            ...(name !== undefined ? { name } : {}),
            ...(slug !== undefined ? { slug } : {}),
            ...(description !== undefined ? { description } : {}),
            ...(moved ? { parentId } : {}),
            version: { increment: 1 },
          },
        });
        // The products' snapshots carry the category path (ids, slugs, names).
        const pathChanged = moved || category.name !== before.name || category.slug !== before.slug;
        let republished = 0;
        if (pathChanged) {
          const productIds = await lockProductsInSubtree(tx, category.id);
          await touchProducts(tx, productIds);
          for (const productId of productIds) await publishProductUpdated(tx, productId, ctx.traceContext);
          republished = productIds.length;
        }
        const changes = diff(before, category, ['name', 'slug', 'description', 'parentId', 'position', 'version']);
        await recordAudit(ctx, tx, 'updateCategory', [
          {
            targetType: 'Category',
            targetId: category.id,
            changes: republished > 0 ? { ...changes, productsRepublished: republished } : changes,
          },
        ]);
        return category;
      },
      // A move of a large subtree publishes a snapshot per product in it.
      { timeout: 120_000 },
    );
  } catch (error) {
    throw slugConflict(error, slug);
  }
}

/** The new parent exists and is not the category itself or one of its descendants (that would make a cycle). */
async function requireNewParent(tx: CatalogTx, categoryId: string, parentId: string): Promise<void> {
  const parent = isUuid(parentId) ? await tx.category.findUnique({ where: { id: parentId }, select: { id: true } }) : null;
  if (!parent) throw notFound('Parent category', parentId);
  if (await isInSubtree(tx, categoryId, parentId)) {
    throw badInput('A category cannot move under itself or one of its own subcategories.', 'parentId');
  }
}

/**
 * Puts the category at `position` among the children of `parentId` (the end
 * when null) and renumbers both sibling lists densely; its own position is
 * written with the others, before its parent changes. Returns its new position.
 */
async function place(tx: CatalogTx, category: Category, parentId: string | null, position: number | null): Promise<number> {
  const siblings = (await siblingIds(tx, parentId)).filter((id) => id !== category.id);
  const at = Math.min(position ?? siblings.length, siblings.length);
  siblings.splice(at, 0, category.id);
  await renumberCategories(tx, siblings);
  if (parentId !== category.parentId) {
    await renumberCategories(tx, (await siblingIds(tx, category.parentId)).filter((id) => id !== category.id));
  }
  return at;
}
