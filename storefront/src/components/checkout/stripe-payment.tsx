'use client';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';

/**
 * Stripe Elements, for when the Stripe provider is configured (a publishable
 * key is set). Stripe's script draws the card field in its own iframe, so the
 * card never touches this page or our servers; on submit it creates a
 * PaymentMethod and the form sends its id (`pm_…`) as the token.
 *
 * Wired, not exercised here: Stripe's script cannot load without the
 * internet, so this path has not run end to end in development.
 */
export interface PaymentPreparer {
  /** Fields to add to the form before it is sent, or an error message for the shopper. */
  prepare: () => Promise<{ fields: Record<string, string> } | { error: string }>;
}

interface StripeLike {
  elements: () => { create: (type: 'card', options?: object) => StripeCardElement };
  createPaymentMethod: (input: {
    type: 'card';
    card: StripeCardElement;
    billing_details?: { name?: string };
  }) => Promise<{ paymentMethod?: { id: string }; error?: { message?: string } }>;
}
interface StripeCardElement {
  mount: (element: HTMLElement) => void;
  destroy: () => void;
}
declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeLike;
  }
}

const STRIPE_JS = 'https://js.stripe.com/v3/';

export function StripePayment({ publishableKey, error, ref }: { publishableKey: string; error?: string | undefined; ref: Ref<PaymentPreparer> }) {
  const mountRef = useRef<HTMLDivElement>(null);
  const stripeRef = useRef<{ stripe: StripeLike; card: StripeCardElement } | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'unavailable'>('loading');
  const [name, setName] = useState('');

  useEffect(() => {
    let cancelled = false;
    const mount = () => {
      if (cancelled || !window.Stripe || !mountRef.current) return;
      const stripe = window.Stripe(publishableKey);
      const card = stripe.elements().create('card', { hidePostalCode: true });
      card.mount(mountRef.current);
      stripeRef.current = { stripe, card };
      setStatus('ready');
    };
    if (window.Stripe) mount();
    else {
      const script = document.createElement('script');
      script.src = STRIPE_JS;
      script.async = true;
      script.onload = mount;
      script.onerror = () => !cancelled && setStatus('unavailable');
      document.head.appendChild(script);
    }
    return () => {
      cancelled = true;
      stripeRef.current?.card.destroy();
      stripeRef.current = null;
    };
  }, [publishableKey]);

  useImperativeHandle(ref, () => ({
    prepare: async () => {
      const loaded = stripeRef.current;
      if (!loaded) return { error: 'The card form could not load. Check your connection and reload the page.' };
      const result = await loaded.stripe.createPaymentMethod({ type: 'card', card: loaded.card, billing_details: { name } });
      if (!result.paymentMethod) return { error: result.error?.message ?? 'Your card could not be used. Check the details.' };
      return { fields: { stripePaymentMethod: result.paymentMethod.id } };
    },
  }));

  return (
    <div className="stripe-payment">
      <div className="field">
        <label htmlFor="stripe-card-name">Name on card</label>
        <input id="stripe-card-name" name="cardName" autoComplete="cc-name" value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <fieldset className="field stripe-payment__fieldset">
        <legend className="field__label">Card details</legend>
        <div ref={mountRef} className="stripe-payment__element" />
      </fieldset>
      {status === 'loading' ? <p className="muted">Loading the secure card form…</p> : null}
      {status === 'unavailable' ? (
        <p className="form-error">The secure card form could not load. Check your connection and reload the page.</p>
      ) : null}
      {error ? <p className="field__error">{error}</p> : null}
      <noscript>
        <p className="form-error">Paying by card needs JavaScript for the secure card form.</p>
      </noscript>
    </div>
  );
}
