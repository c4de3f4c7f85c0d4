'use client';
import Link from 'next/link';
import { useActionState, useId } from 'react';
import { type CartActionState, addCartLine } from '@/app/actions/cart';

const initial: CartActionState = { status: 'idle' };

/**
 * The product page's "Add to cart": a plain form posting to the addCartLine
 * server action, so it works before (or without) JavaScript. With JavaScript
 * the button shows that it is working and the result is announced in a live
 * region next to it.
 */
export function AddToCartForm({ variantId, disabled = false }: { variantId: string; disabled?: boolean }) {
  const [state, formAction, pending] = useActionState(addCartLine, initial);
  const id = useId();
  return (
    <form action={formAction} className="add-to-cart">
      <input type="hidden" name="variantId" value={variantId} />
      <div className="add-to-cart__row">
        <div className="field add-to-cart__quantity">
          <label htmlFor={`${id}-quantity`}>Quantity</label>
          <input
            id={`${id}-quantity`}
            name="quantity"
            type="number"
            inputMode="numeric"
            min={1}
            max={99}
            defaultValue={1}
            required
            disabled={disabled}
          />
        </div>
        <button type="submit" disabled={disabled || pending}>
          {pending ? 'Adding…' : 'Add to cart'}
        </button>
      </div>
      <div role="status" aria-live="polite" className="add-to-cart__status" data-testid="add-to-cart-status">
        {state.status === 'error' ? <p className="form-error">{state.message}</p> : null}
        {state.status === 'ok' ? (
          <p className="notice notice--ok">
            {state.message}. <Link href="/cart">View cart</Link>
          </p>
        ) : null}
      </div>
    </form>
  );
}
