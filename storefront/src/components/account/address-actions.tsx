'use client';
import { useActionState } from 'react';
import { deleteAddress, setDefaultAddress } from '@/app/actions/account';
import { SubmitButton } from './fields';
import { IDLE } from './form-state';

/** "Make default" and "Delete" for one address, each with its error right there. */
export function AddressActions({ id, label, isDefault }: { id: string; label: string; isDefault: boolean }) {
  const [defaultState, makeDefault] = useActionState(setDefaultAddress, IDLE);
  const [deleteState, remove] = useActionState(deleteAddress, IDLE);
  const message = defaultState.message ?? deleteState.message;
  return (
    <div className="address-actions">
      {isDefault ? null : (
        <form action={makeDefault}>
          <input type="hidden" name="id" value={id} />
          <SubmitButton className="button--secondary">
            Make default<span className="visually-hidden">: {label}</span>
          </SubmitButton>
        </form>
      )}
      <form action={remove}>
        <input type="hidden" name="id" value={id} />
        <SubmitButton className="button--secondary">
          Delete<span className="visually-hidden"> address: {label}</span>
        </SubmitButton>
      </form>
      {message ? (
        <p className="field__error" role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}
