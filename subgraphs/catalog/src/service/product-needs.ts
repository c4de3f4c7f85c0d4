/**
 * Loading a page of products' relations before their fields resolve. Each
 * relation is one batched statement either way; loading it up front, for the
 * whole page, lets every field below the products read it without a promise
 * (SettledLoader.get), which is most of graphql-js's cost on a listing.
 */
import type { CatalogContext } from '../context.js';
import type { Product } from '../generated/prisma/client.js';
import type { ListingRelations } from '../data/reads.js';
import { decodeIdCursor, pageSize } from './pagination.js';

/** Arguments of one `reviews(first:, after:)` selection. */
export interface ReviewPageArgs {
  first?: number | null;
  after?: string | null;
}

/** What the selection reads of every product of a page (resolvers/lookahead.ts). */
export interface ProductNeeds {
  /** Variants with their prices (variants, priceRange). */
  variants: boolean;
  images: boolean;
  category: boolean;
  reviewPages: readonly ReviewPageArgs[];
}

/** The rows a review page fetches: one more than it shows, to tell hasNextPage. Throws on arguments reviewsOf rejects. */
export function reviewWindow(args: ReviewPageArgs): { limit: number; after: string | null } {
  return { limit: pageSize(args.first, 10) + 1, after: decodeIdCursor(args.after) };
}

/** The `latestReviewsPage` key of a review page, as reviewsOf builds it. */
export function reviewPageKey(productId: string, args: ReviewPageArgs): { parent: string; limit: number; after: string | null } {
  return { parent: productId, ...reviewWindow(args) };
}

/**
 * What the listing statement itself brings along (data/reads.ts
 * activeProducts): the variants with their prices, and the first review page
 * asked for; anything else in `needs` is loaded after, per relation.
 */
export function listingRelations(needs: ProductNeeds | undefined): ListingRelations {
  let reviews: ListingRelations['reviews'] = null;
  const firstPage = needs?.reviewPages[0];
  if (firstPage) {
    try {
      reviews = reviewWindow(firstPage);
    } catch {
      // An invalid `first` or cursor: the field reports it.
    }
  }
  return { variants: needs?.variants ?? false, reviews };
}

/**
 * Loads what `needs` names for all `products` and is not loaded yet, in
 * parallel, one statement per relation. A failed batch is left for its fields
 * to report: they read the same cached rejection, at their own paths, as
 * without this.
 */
export async function loadProductNeeds(ctx: CatalogContext, products: readonly Product[], needs: ProductNeeds): Promise<void> {
  if (products.length === 0) return;
  const loads: Promise<void>[] = [];
  const ids = products.map((product) => product.id);
  if (needs.variants) loads.push(ctx.loaders.variantsByProduct.prefetch(ids));
  if (needs.images) loads.push(ctx.loaders.imagesByProduct.prefetch(ids));
  if (needs.category) loads.push(ctx.loaders.categoryById.prefetch(products.map((product) => product.categoryId)));
  for (const args of needs.reviewPages) {
    let keys: ReturnType<typeof reviewPageKey>[];
    try {
      keys = ids.map((id) => reviewPageKey(id, args));
    } catch {
      continue; // An invalid `first` or cursor: the field reports it.
    }
    loads.push(ctx.loaders.latestReviewsPage.prefetch(keys));
  }
  // prefetch never rejects: a failed batch is reported by the fields that read it.
  if (loads.length > 0) await Promise.all(loads);
}
