'use client';
import { useActionState, useId } from 'react';
import { createAddress, updateAddress } from '@/app/actions/account';
import type { AddressFieldsFragment } from '@/graphql/generated/graphql';
import { COUNTRIES } from './countries';
import { Field, FormMessage, SubmitButton } from './fields';
import { type FormState, IDLE } from './form-state';

/** The address inputs, for the address book and (reusable) checkout: names match CreateAddressInput. */
export function AddressFields({ state, address }: { state: FormState; address?: AddressFieldsFragment }) {
  const countryId = useId();
  const countryError = state.fieldErrors?.countryCode;
  const country = state.values?.countryCode ?? address?.countryCode ?? 'US';
  return (
    <>
      <Field name="fullName" label="Full name" autoComplete="name" required defaultValue={address?.fullName} state={state} />
      <Field name="line1" label="Street address" autoComplete="address-line1" required defaultValue={address?.line1} state={state} />
      <Field
        name="line2"
        label="Apartment, suite, etc. (optional)"
        autoComplete="address-line2"
        defaultValue={address?.line2 ?? ''}
        state={state}
      />
      <div className="field-row">
        <Field name="postalCode" label="Postal code" autoComplete="postal-code" required defaultValue={address?.postalCode} state={state} />
        <Field name="city" label="City" autoComplete="address-level2" required defaultValue={address?.city} state={state} />
      </div>
      <Field
        name="region"
        label="State or region (optional)"
        autoComplete="address-level1"
        defaultValue={address?.region ?? ''}
        state={state}
      />
      <div className="field">
        <label htmlFor={countryId}>Country</label>
        <select
          id={countryId}
          name="countryCode"
          autoComplete="country"
          defaultValue={country}
          key={country}
          aria-invalid={countryError ? true : undefined}
          aria-describedby={countryError ? `${countryId}-error` : undefined}
        >
          {COUNTRIES.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
        {countryError ? (
          <span id={`${countryId}-error`} className="field__error">
            {countryError}
          </span>
        ) : null}
      </div>
      <Field name="phone" label="Phone (optional)" type="tel" autoComplete="tel" defaultValue={address?.phone ?? ''} state={state} />
    </>
  );
}

export function NewAddressForm({ firstAddress }: { firstAddress: boolean }) {
  const [state, action] = useActionState(createAddress, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <AddressFields state={state} />
      {firstAddress ? (
        <p className="muted">Your first address becomes your default address.</p>
      ) : (
        <div className="field field--check">
          <input id="makeDefault" name="makeDefault" type="checkbox" defaultChecked={state.values?.makeDefault === 'on'} />
          <label htmlFor="makeDefault">Make this my default address</label>
        </div>
      )}
      <SubmitButton pendingLabel="Saving…">Save address</SubmitButton>
    </form>
  );
}

export function EditAddressForm({ address }: { address: AddressFieldsFragment }) {
  const [state, action] = useActionState(updateAddress, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={address.id} />
      <AddressFields state={state} address={address} />
      <SubmitButton pendingLabel="Saving…">Save changes</SubmitButton>
    </form>
  );
}
