'use client';
import Link from 'next/link';
import { useActionState, useId } from 'react';
import { type CartActionState, changeCartLine } from '@/app/actions/cart';
import type { CartLineViewFragment } from '@/graphql/generated/graphql';
import { formatMoney } from '@/lib/money';
import { ProductThumb } from './product-thumb';

const initial: CartActionState = { status: 'idle' };

/**
 * One line of the cart (or of "Saved for later"): one form, whose buttons say
 * what to do. Buttons carry the product in their accessible name ("Remove
 * Classic Tee – M"), so a screen reader's list of buttons makes sense.
 */
export function CartLineItem({ line, saved = false }: { line: CartLineViewFragment; saved?: boolean }) {
  const [state, formAction, pending] = useActionState(changeCartLine, initial);
  const id = useId();
  const product = line.variant.product;
  const options = line.variant.options.map((option) => `${option.name}: ${option.value}`).join(' · ');
  return (
    <li className={line.available ? 'cart-line' : 'cart-line cart-line--unavailable'} aria-busy={pending}>
      <ProductThumb image={product.images[0]} />
      <div className="cart-line__info">
        <h3 className="cart-line__title">
          <Link href={`/p/${product.slug}`}>{product.name}</Link>
        </h3>
        {options ? <p className="cart-line__options">{options}</p> : null}
        <p className="muted cart-line__sku">SKU {line.sku}</p>
        {line.available ? (
          <p className="cart-line__unit">
            <span className="muted">Price each: </span>
            {formatMoney(line.unitPrice)}
          </p>
        ) : (
          <p className="notice notice--warn cart-line__unavailable">No longer available. It is not included in your total.</p>
        )}
      </div>
      <form action={formAction} className="cart-line__actions">
        <input type="hidden" name="lineId" value={line.id} />
        {saved ? (
          <p className="cart-line__saved-qty">Quantity {line.quantity}</p>
        ) : (
          <div className="cart-line__qty">
            <label htmlFor={`${id}-qty`}>
              Quantity<span className="visually-hidden"> for {line.title}</span>
            </label>
            <input
              id={`${id}-qty`}
              key={`${line.id}:${line.quantity}`}
              name="quantity"
              type="number"
              inputMode="numeric"
              min={0}
              max={99}
              defaultValue={line.quantity}
              required
            />
            <button type="submit" name="intent" value="update" className="button--secondary" disabled={pending}>
              Update<span className="visually-hidden"> quantity of {line.title}</span>
            </button>
          </div>
        )}
        <div className="cart-line__buttons">
          {saved ? (
            <button type="submit" name="intent" value="move" className="button--secondary" disabled={pending || !line.available}>
              Move to cart<span className="visually-hidden">: {line.title}</span>
            </button>
          ) : (
            <button type="submit" name="intent" value="save" className="button--link" disabled={pending}>
              Save for later<span className="visually-hidden">: {line.title}</span>
            </button>
          )}
          <button type="submit" name="intent" value="remove" className="button--link" disabled={pending}>
            Remove<span className="visually-hidden"> {line.title}</span>
          </button>
        </div>
      </form>
      {saved ? null : (
        <p className="cart-line__total">
          <span className="visually-hidden">Line total: </span>
          {formatMoney(line.lineTotal)}
        </p>
      )}
      <div role="status" aria-live="polite" className="cart-line__status">
        {state.status === 'error' ? <p className="form-error">{state.message}</p> : null}
        {state.status === 'ok' ? <p className="visually-hidden">{state.message}</p> : null}
      </div>
    </li>
  );
}
