'use client';
import { useActionState, useId } from 'react';
import { type ReviewFormState, createReview } from '@/app/actions/reviews';

const initial: ReviewFormState = { status: 'idle' };

/** "Write a review" for a signed-in shopper: a plain form posting to the createReview server action. */
export function ReviewForm({ productId, slug }: { productId: string; slug: string }) {
  const [state, action, pending] = useActionState(createReview, initial);
  const id = useId();
  const errors = state.fieldErrors ?? {};
  const values = state.status === 'error' ? (state.values ?? {}) : {};
  return (
    <form action={action} className="review-form" aria-labelledby={`${id}-heading`} noValidate key={state.status === 'ok' ? state.at : 'form'}>
      <h3 id={`${id}-heading`}>Write a review</h3>
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="slug" value={slug} />
      <fieldset className="review-form__rating" aria-describedby={errors.rating ? `${id}-rating-error` : undefined}>
        <legend>Your rating</legend>
        <div className="star-input">
          {[1, 2, 3, 4, 5].map((stars) => (
            <label key={stars} className="star-input__option">
              <input type="radio" name="rating" value={stars} required defaultChecked={values.rating === String(stars)} />
              <span>
                {stars} {stars === 1 ? 'star' : 'stars'}
              </span>
            </label>
          ))}
        </div>
        {errors.rating ? (
          <p id={`${id}-rating-error`} className="field__error">
            {errors.rating}
          </p>
        ) : null}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-title`}>Review title</label>
        <input
          id={`${id}-title`}
          name="title"
          required
          maxLength={200}
          defaultValue={values.title}
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={errors.title ? `${id}-title-error` : undefined}
        />
        {errors.title ? (
          <p id={`${id}-title-error`} className="field__error">
            {errors.title}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-body`}>Your review</label>
        <textarea
          id={`${id}-body`}
          name="body"
          rows={4}
          maxLength={5000}
          defaultValue={values.body}
          aria-invalid={errors.body ? true : undefined}
          aria-describedby={errors.body ? `${id}-body-error` : undefined}
        />
        {errors.body ? (
          <p id={`${id}-body-error`} className="field__error">
            {errors.body}
          </p>
        ) : null}
      </div>
      <div aria-live="polite" role="status">
        {state.status === 'error' && state.message ? (
          <p className="form-error" key={state.at}>
            {state.message}
          </p>
        ) : null}
        {state.status === 'ok' && state.message ? (
          <p className="notice notice--ok" key={state.at}>
            {state.message}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={pending}>
        {pending ? 'Submitting…' : 'Submit review'}
      </button>
    </form>
  );
}
