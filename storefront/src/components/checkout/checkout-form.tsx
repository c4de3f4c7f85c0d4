'use client';
import Link from 'next/link';
import { type FormEvent, startTransition, useActionState, useEffect, useRef, useState } from 'react';
import { placeOrder } from '@/app/actions/checkout';
import { AddressFields } from './address-fields';
import { CardPayment } from './card-payment';
import type { CheckoutState } from './checkout-state';
import { countryName } from './countries';
import type { PaymentMethod } from './payment-methods';
import type { PaymentPreparer } from './stripe-payment';
import { StripePayment } from './stripe-payment';

export interface CheckoutAddress {
  id: string;
  fullName: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  countryCode: string;
  isDefault: boolean;
}

const initial: CheckoutState = { status: 'idle' };

/** Where each field lives, so the error summary links to it. */
const FIELD_IDS: Record<string, string> = {
  email: 'checkout-email',
  fullName: 'ship-fullName',
  line1: 'ship-line1',
  line2: 'ship-line2',
  city: 'ship-city',
  region: 'ship-region',
  postalCode: 'ship-postalCode',
  countryCode: 'ship-countryCode',
  phone: 'ship-phone',
  cardNumber: 'card-number',
  cardExpiry: 'card-expiry',
  cardCvc: 'card-cvc',
  cardName: 'card-name',
};

/**
 * The whole checkout in one form: contact (guests), shipping address (saved
 * or new), payment. It posts to the placeOrder server action, so it works
 * without JavaScript; with it the form is not cleared on an error, the
 * button is disabled while the order is placed, and the first message gets
 * focus. The idempotency key was made on the server when the page rendered:
 * sending the form twice places one order.
 */
export function CheckoutForm({
  signedIn,
  accountEmail,
  addresses,
  idempotencyKey,
  method,
  showTestCards,
  defaultCountry,
}: {
  signedIn: boolean;
  accountEmail: string | null;
  addresses: CheckoutAddress[];
  idempotencyKey: string;
  method: PaymentMethod;
  showTestCards: boolean;
  defaultCountry: string;
}) {
  const [state, formAction, pending] = useActionState(placeOrder, initial);
  const [addressChoice, setAddressChoice] = useState<string>(state.values?.addressId || addresses[0]?.id || 'new');
  const [clientError, setClientError] = useState<string | null>(null);
  const [enhanced, setEnhanced] = useState(false);
  const submitting = useRef(false);
  const alertRef = useRef<HTMLDivElement>(null);
  const paymentRef = useRef<PaymentPreparer>(null);
  const errors = state.fieldErrors ?? {};

  useEffect(() => setEnhanced(true), []);
  useEffect(() => {
    submitting.current = false;
    if (state.status === 'error') alertRef.current?.focus();
  }, [state]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting.current || pending) return; // a double click sends one request
    submitting.current = true;
    setClientError(null);
    const formData = new FormData(event.currentTarget);
    if (paymentRef.current) {
      const prepared = await paymentRef.current.prepare();
      if ('error' in prepared) {
        submitting.current = false;
        setClientError(prepared.error);
        return;
      }
      for (const [name, value] of Object.entries(prepared.fields)) formData.set(name, value);
    }
    startTransition(() => formAction(formData));
  }

  const useSaved = addresses.length > 0 && addressChoice !== 'new';
  const message = clientError ?? (state.status === 'error' ? state.message : null);
  const fieldErrorList = Object.entries(errors).filter(([, text]) => Boolean(text));

  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="checkout-form" aria-describedby={message ? 'checkout-alert' : undefined}>
      <input type="hidden" name="idempotencyKey" value={state.idempotencyKey ?? idempotencyKey} />
      <input type="hidden" name="paymentMethod" value={method.id} />

      <div id="checkout-alert" ref={alertRef} tabIndex={-1} role="alert" className={message ? 'form-error checkout-form__alert' : 'checkout-form__alert'}>
        {message ? (
          <>
            <p>{message}</p>
            {fieldErrorList.length > 1 ? (
              <ul>
                {fieldErrorList.map(([field, text]) => (
                  <li key={field}>{FIELD_IDS[field] ? <a href={`#${FIELD_IDS[field]}`}>{text}</a> : text}</li>
                ))}
              </ul>
            ) : null}
            {state.signIn ? (
              <p>
                <Link href="/account/sign-in?returnTo=/checkout">Sign in</Link>
              </p>
            ) : null}
            {state.toCart ? (
              <p>
                <Link href="/cart">Go to your cart</Link>
              </p>
            ) : null}
          </>
        ) : null}
      </div>

      <fieldset className="checkout-section">
        <legend>
          <h2>Contact</h2>
        </legend>
        {signedIn ? (
          <p>
            Signed in as <strong>{accountEmail}</strong>. We’ll send the confirmation there.
          </p>
        ) : (
          <>
            <div className={errors.email ? 'field field--invalid' : 'field'}>
              <label htmlFor="checkout-email">Email</label>
              <p id="checkout-email-hint" className="field__hint">
                For your order confirmation. You can look the order up later with its number and this email.
              </p>
              <input
                id="checkout-email"
                name="email"
                type="email"
                autoComplete="email"
                aria-required="true"
                defaultValue={state.values?.email}
                aria-invalid={errors.email ? true : undefined}
                aria-describedby={errors.email ? 'checkout-email-hint checkout-email-error' : 'checkout-email-hint'}
              />
              {errors.email ? (
                <p id="checkout-email-error" className="field__error">
                  {errors.email}
                </p>
              ) : null}
            </div>
            <p className="muted">
              Have an account? <Link href="/account/sign-in?returnTo=/checkout">Sign in</Link> to use your saved addresses.
            </p>
          </>
        )}
      </fieldset>

      <fieldset className="checkout-section">
        <legend>
          <h2>Shipping address</h2>
        </legend>
        {addresses.length > 0 ? (
          <fieldset className="address-choice">
            <legend className="visually-hidden">Ship to</legend>
            {addresses.map((address) => (
              <label key={address.id} className="address-choice__option">
                <input
                  type="radio"
                  name="addressId"
                  value={address.id}
                  checked={addressChoice === address.id}
                  onChange={() => setAddressChoice(address.id)}
                />
                <span>
                  <strong>{address.fullName}</strong>
                  {address.isDefault ? <span className="muted"> (default)</span> : null}
                  <br />
                  {[address.line1, address.line2, address.city, address.region, address.postalCode, countryName(address.countryCode)]
                    .filter(Boolean)
                    .join(', ')}
                </span>
              </label>
            ))}
            <label className="address-choice__option">
              <input type="radio" name="addressId" value="new" checked={addressChoice === 'new'} onChange={() => setAddressChoice('new')} />
              <span>
                <strong>A new address</strong>
              </span>
            </label>
            {errors.addressId ? <p className="field__error">{errors.addressId}</p> : null}
          </fieldset>
        ) : (
          <input type="hidden" name="addressId" value="new" />
        )}
        {/* Without JavaScript the new-address fields are always there; the server uses them only when "A new address" is chosen. */}
        {useSaved && enhanced ? null : <AddressFields state={state} defaultCountry={defaultCountry} />}
      </fieldset>

      <fieldset className="checkout-section">
        <legend>
          <h2>Payment</h2>
        </legend>
        {method.kind === 'stripe-elements' && method.publishableKey ? (
          <StripePayment publishableKey={method.publishableKey} error={errors.payment} ref={paymentRef} />
        ) : (
          <CardPayment state={state} showTestCards={showTestCards} />
        )}
      </fieldset>

      <button type="submit" className="checkout-form__submit" disabled={pending}>
        {pending ? 'Placing your order…' : 'Place order'}
      </button>
      <p className="muted checkout-form__note" aria-live="polite">
        {pending ? 'Placing your order. Please don’t close this page.' : 'You can review the status of your order on the next page.'}
      </p>
    </form>
  );
}
