import type { CheckoutState } from './checkout-state';
import { COUNTRIES } from './countries';
import { Field } from './field';

/** A new shipping address: required fields, a country select (ISO codes), postal code checked per country on the server. */
export function AddressFields({ state, defaultCountry }: { state: CheckoutState; defaultCountry: string }) {
  const errors = state.fieldErrors ?? {};
  const values = state.values ?? {};
  const countryError = errors.countryCode;
  return (
    <div className="address-fields">
      <Field id="ship-fullName" name="fullName" label="Full name" autoComplete="shipping name" defaultValue={values.fullName} error={errors.fullName} />
      <Field id="ship-line1" name="line1" label="Street address" autoComplete="shipping address-line1" defaultValue={values.line1} error={errors.line1} />
      <Field
        id="ship-line2"
        name="line2"
        label="Apartment, suite, etc."
        optional
        autoComplete="shipping address-line2"
        defaultValue={values.line2}
        error={errors.line2}
      />
      <div className="address-fields__row">
        <Field id="ship-city" name="city" label="City" autoComplete="shipping address-level2" defaultValue={values.city} error={errors.city} />
        <Field
          id="ship-region"
          name="region"
          label="State or region"
          optional
          autoComplete="shipping address-level1"
          defaultValue={values.region}
          error={errors.region}
        />
      </div>
      <div className="address-fields__row">
        <Field
          id="ship-postalCode"
          name="postalCode"
          label="Postal code"
          autoComplete="shipping postal-code"
          defaultValue={values.postalCode}
          error={errors.postalCode}
        />
        <Field id="ship-countryCode" label="Country" error={countryError}>
          <select
            id="ship-countryCode"
            name="countryCode"
            autoComplete="shipping country"
            defaultValue={values.countryCode || defaultCountry}
            aria-invalid={countryError ? true : undefined}
            aria-describedby={countryError ? 'ship-countryCode-error' : undefined}
          >
            {COUNTRIES.map((country) => (
              <option key={country.code} value={country.code}>
                {country.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field
        id="ship-phone"
        name="phone"
        label="Phone"
        optional
        type="tel"
        autoComplete="shipping tel"
        hint="For the courier, if they need to reach you."
        defaultValue={values.phone}
        error={errors.phone}
      />
    </div>
  );
}
