'use client';
import { useActionState, useId } from 'react';
import { type CartActionState, applyDiscountCode, removeDiscountCode } from '@/app/actions/cart';

const initial: CartActionState = { status: 'idle' };

/** Apply a discount code, or remove the one applied. INVALID_DISCOUNT_CODE and friends show under the field. */
export function DiscountForm({ discountCode }: { discountCode: string | null }) {
  const [applyState, apply, applying] = useActionState(applyDiscountCode, initial);
  const [removeState, remove, removing] = useActionState(removeDiscountCode, initial);
  const id = useId();
  const state = (removeState.at ?? 0) > (applyState.at ?? 0) ? removeState : applyState;
  return (
    <div className="discount">
      {discountCode ? (
        <form action={remove} className="discount__applied">
          <p>
            Discount code <strong>{discountCode}</strong> applied.
          </p>
          <button type="submit" className="button--secondary" disabled={removing}>
            Remove discount code
          </button>
        </form>
      ) : (
        <form action={apply} className="discount__form">
          <label htmlFor={`${id}-code`}>Discount code</label>
          <div className="discount__row">
            <input
              id={`${id}-code`}
              name="code"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              aria-invalid={applyState.status === 'error'}
              aria-describedby={`${id}-status`}
            />
            <button type="submit" className="button--secondary" disabled={applying}>
              Apply
            </button>
          </div>
        </form>
      )}
      <div id={`${id}-status`} role="status" aria-live="polite">
        {state.status === 'error' ? <p className="form-error">{state.message}</p> : null}
        {state.status === 'ok' ? <p className="notice notice--ok">{state.message}</p> : null}
      </div>
    </div>
  );
}
