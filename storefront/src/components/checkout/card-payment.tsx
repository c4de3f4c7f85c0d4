import type { CheckoutState } from './checkout-state';
import { Field } from './field';
import { TEST_CARDS } from './payment-methods';

/**
 * The local provider's card form. The fields post to the storefront's own
 * server action, which maps the card to a test token; nothing here is sent
 * anywhere else, and the number is never echoed back.
 */
export function CardPayment({ state, showTestCards }: { state: CheckoutState; showTestCards: boolean }) {
  const errors = state.fieldErrors ?? {};
  return (
    <div className="card-payment">
      {showTestCards ? (
        <aside className="test-cards" aria-labelledby="test-cards-heading">
          <h3 id="test-cards-heading">Test cards</h3>
          <p>This shop is in test mode: no real money moves. Use any future expiry date and any 3-digit security code.</p>
          <ul>
            {TEST_CARDS.map((card) => (
              <li key={card.token}>
                <code>{card.number}</code> <span>{card.outcome}</span>
              </li>
            ))}
          </ul>
        </aside>
      ) : null}
      <Field
        id="card-number"
        name="cardNumber"
        label="Card number"
        inputMode="numeric"
        autoComplete="cc-number"
        placeholder="1234 1234 1234 1234"
        maxLength={23}
        error={errors.cardNumber}
      />
      <div className="address-fields__row">
        <Field
          id="card-expiry"
          name="cardExpiry"
          label="Expiry date (MM/YY)"
          inputMode="numeric"
          autoComplete="cc-exp"
          placeholder="MM/YY"
          maxLength={7}
          error={errors.cardExpiry}
        />
        <Field
          id="card-cvc"
          name="cardCvc"
          label="Security code (CVC)"
          inputMode="numeric"
          autoComplete="cc-csc"
          maxLength={4}
          error={errors.cardCvc}
        />
      </div>
      <Field id="card-name" name="cardName" label="Name on card" autoComplete="cc-name" defaultValue={state.values?.cardName} error={errors.cardName} />
    </div>
  );
}
