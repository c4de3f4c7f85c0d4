'use client';
import { useActionState, useEffect, useId, useRef, useState } from 'react';
import { type CurrencyActionState, setCurrency } from '@/app/actions/currency';
import { CURRENCIES } from '@/lib/money';

const initial: CurrencyActionState = { status: 'idle' };

/**
 * USD / EUR for the whole shop, kept in the `sf_currency` cookie by a server
 * action. Without JavaScript it is a select and a submit button; with it, the
 * choice applies on change. When the cart cannot switch (items not sold in
 * that currency), the select goes back and the reason shows under it.
 */
export function CurrencySwitcher({ current }: { current: string }) {
  const [state, formAction, pending] = useActionState(setCurrency, initial);
  const [enhanced, setEnhanced] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  useEffect(() => setEnhanced(true), []);
  return (
    <form action={formAction} ref={formRef} className="currency-switcher" aria-busy={pending}>
      <label htmlFor={`${id}-currency`} className="currency-switcher__label">
        Currency
      </label>
      <select
        id={`${id}-currency`}
        name="currency"
        defaultValue={current}
        key={`${current}:${state.at ?? 0}`}
        onChange={() => formRef.current?.requestSubmit()}
      >
        {CURRENCIES.map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </select>
      {enhanced ? null : (
        <button type="submit" className="button--secondary currency-switcher__apply">
          Change currency
        </button>
      )}
      <span role="status" aria-live="polite" className={state.status === 'error' ? 'currency-switcher__error' : 'visually-hidden'}>
        {state.status === 'error' ? state.message : state.status === 'ok' ? state.message : ''}
      </span>
    </form>
  );
}
