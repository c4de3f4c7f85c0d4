'use server';
import { updateTag } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { errorCode, messageFor, registerMessages } from '@/lib/errors';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';
import { accessToken } from '@/lib/session';

registerMessages({
  ALREADY_REVIEWED: 'You have already reviewed this product. Thank you!',
  'NOT_FOUND:review': 'This product is no longer available to review.',
});

export interface ReviewFormState {
  status: 'idle' | 'ok' | 'error';
  message?: string;
  /** Field name → message, for errors that belong to one field. */
  fieldErrors?: Partial<Record<'rating' | 'title' | 'body', string>>;
  /** What the shopper typed, to refill the form after an error. */
  values?: { rating?: string; title?: string; body?: string };
  at?: number;
}

const CreateReviewMutation = graphql(`
  mutation CreateReview($input: CreateReviewInput!) {
    createReview(input: $input) {
      id
      rating
      title
    }
  }
`);

/** Posts a review for the signed-in shopper; the product page shows it on its next render. */
export async function createReview(_previous: ReviewFormState, form: FormData): Promise<ReviewFormState> {
  const productId = String(form.get('productId') ?? '');
  const slug = String(form.get('slug') ?? '');
  const ratingText = String(form.get('rating') ?? '');
  const title = String(form.get('title') ?? '').trim();
  const body = String(form.get('body') ?? '').trim();
  const values = { rating: ratingText, title, body };
  const at = Date.now();

  const fieldErrors: ReviewFormState['fieldErrors'] = {};
  const rating = Number(ratingText);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) fieldErrors.rating = 'Choose a rating from 1 to 5 stars.';
  if (!title) fieldErrors.title = 'Give your review a title.';
  else if (title.length > 200) fieldErrors.title = 'Keep the title under 200 characters.';
  if (body.length > 5000) fieldErrors.body = 'Keep the review under 5,000 characters.';
  if (Object.keys(fieldErrors).length) return { status: 'error', message: 'Please check the highlighted fields.', fieldErrors, values, at };

  const token = await accessToken();
  if (!token) return { status: 'error', message: messageFor('UNAUTHENTICATED'), values, at };
  try {
    await executeGraphQL(CreateReviewMutation, { variables: { input: { productId, rating, title, body } }, accessToken: token });
  } catch (error) {
    const code = errorCode(error);
    if (error instanceof GraphQLRequestError && code === 'BAD_USER_INPUT') {
      const field = error.errors[0]?.extensions?.field;
      const fieldMessages = { rating: 'Choose a rating from 1 to 5 stars.', title: 'Please check the title.', body: 'Please check the review text.' };
      if (field === 'title' || field === 'body' || field === 'rating') {
        return { status: 'error', message: messageFor(code), fieldErrors: { [field]: fieldMessages[field] }, values, at };
      }
    }
    return { status: 'error', message: messageFor(code, code === 'NOT_FOUND' ? 'review' : undefined), values, at };
  }
  if (slug) updateTag(`product:${slug}`);
  return { status: 'ok', message: 'Thank you! Your review is posted.', at };
}
