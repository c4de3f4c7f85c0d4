/**
 * Product reviews and the rating aggregate. Use this service to read a
 * product's reviews or rating, or to post a review.
 *
 * The aggregate (ratingCount, ratingSum on the product row) changes in the
 * same transaction as the review insert, by an atomic increment: concurrent
 * reviews of one product serialize on the row lock the UPDATE takes, so none
 * is lost. Reviews publish no event (see events/publish.ts).
 */
import { AppError, ErrorCode, forbidden, notFound, unauthenticated } from '@commerce/errors';
import { whenReady, type MaybePromise } from '@commerce/subgraph-kit';
import type { CatalogContext } from '../context.js';
import type { Product, Review } from '../generated/prisma/client.js';
import { isUuid } from '../data/ids.js';
import { isUniqueViolation } from '../data/prisma.js';
import { ratingAverage } from '../events/product-snapshot.js';
import type { PageArgs } from './category.service.js';
import { idConnection, type Connection } from './pagination.js';
import { reviewPageKey } from './product-needs.js';
import { optionalText, requireRating, requireText } from './validation.js';

export interface CreateReviewInput {
  productId: string;
  rating: number;
  title: string;
  body?: string | null;
}

export interface RatingSummary {
  average: number | null;
  count: number;
}

/** A review page plus what `totalCount` needs to count lazily. */
export type ReviewConnection = Connection<Review> & { productId: string };

/** Read from the aggregate on the product row: no query. */
export function ratingOf(product: Product): RatingSummary {
  return { average: ratingAverage(product.ratingSum, product.ratingCount), count: product.ratingCount };
}

/** The product's reviews, newest first. */
export function reviewsOf(ctx: CatalogContext, product: Product, args: PageArgs): MaybePromise<ReviewConnection> {
  const key = reviewPageKey(product.id, args);
  const first = key.limit - 1;
  return whenReady(ctx.loaders.latestReviewsPage.get(key), (rows) => {
    const { edges, pageInfo } = idConnection(rows, first);
    return { edges, pageInfo, productId: product.id };
  });
}

/** Counted only when a client asks for it, batched across the page. */
export function reviewCountOf(ctx: CatalogContext, productId: string): MaybePromise<number> {
  return ctx.loaders.reviewCount.get(productId);
}

/** The reviewed product, whatever its status now: the review exists. */
export function productOfReview(ctx: CatalogContext, review: Review): MaybePromise<Product> {
  return whenReady(ctx.loaders.productById.get(review.productId), (product) => {
    if (!product) throw new Error(`Review ${review.id} points at missing product ${review.productId}`);
    return product;
  });
}

/** A reference the users subgraph resolves; the catalog stores only the id. */
export function authorOf(review: Review): { __typename: 'User'; id: string } {
  return { __typename: 'User', id: review.authorId };
}

/**
 * Signed-in users: posts the caller's review of an active product and folds
 * its rating into the product's aggregate.
 * Errors: UNAUTHENTICATED, BAD_USER_INPUT (rating 1..5, title), NOT_FOUND,
 * ALREADY_REVIEWED (one review per user and product).
 */
export async function createReview(ctx: CatalogContext, input: CreateReviewInput): Promise<Review> {
  const identity = ctx.identity;
  if (!identity) throw unauthenticated();
  // Author ids are uuids owned by the users subgraph; a token naming anything
  // else was not minted for a user who can review.
  if (!isUuid(identity.userId)) throw forbidden('This account cannot post reviews.');
  const rating = requireRating(input.rating);
  const title = requireText(input.title, 'title', 200);
  const body = optionalText(input.body, 'body', 5000);
  if (!isUuid(input.productId)) throw notFound('Product', input.productId);
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const product = await tx.product.findUnique({ where: { id: input.productId }, select: { status: true } });
      if (product?.status !== 'ACTIVE') throw notFound('Product', input.productId);
      const review = await tx.review.create({
        data: { productId: input.productId, authorId: identity.userId, rating, title, body },
      });
      // Raw SQL: an atomic increment that leaves updated_at alone (a review
      // is not an edit of the product).
      await tx.$executeRaw`
        UPDATE products SET rating_count = rating_count + 1, rating_sum = rating_sum + ${rating}
        WHERE id = ${input.productId}::uuid`;
      return review;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError(ErrorCode.ALREADY_REVIEWED, 'You have already reviewed this product.', {
        details: { field: 'productId' },
      });
    }
    throw error;
  }
}
