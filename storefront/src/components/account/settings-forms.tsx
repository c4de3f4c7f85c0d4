'use client';
import Link from 'next/link';
import { useActionState, useEffect, useRef } from 'react';
import { changePassword, confirmEmailChange, deleteAccount, requestEmailChange, updateProfile } from '@/app/actions/account';
import { Field, FormMessage, SubmitButton } from './fields';
import { IDLE, PASSWORD_RULE } from './form-state';

export function ProfileForm({ name }: { name: string }) {
  const [state, action] = useActionState(updateProfile, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <Field name="name" label="Name" autoComplete="name" required defaultValue={name} state={state} hint="Shown on your reviews." />
      <SubmitButton pendingLabel="Saving…">Save name</SubmitButton>
    </form>
  );
}

export function ChangePasswordForm() {
  const [state, action] = useActionState(changePassword, IDLE);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.status === 'success') form.current?.reset();
  }, [state]);
  return (
    <form ref={form} action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required state={state} />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint={PASSWORD_RULE}
        state={state}
      />
      <Field name="confirmNewPassword" label="Repeat the new password" type="password" autoComplete="new-password" required state={state} />
      <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
    </form>
  );
}

export function ChangeEmailForm({ email }: { email: string }) {
  const [state, action] = useActionState(requestEmailChange, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <p>
        Your email is <strong>{email}</strong>. We send a link to the new address; the change happens when you open it.
      </p>
      <FormMessage state={state} />
      <Field name="newEmail" label="New email address" type="email" autoComplete="email" required state={state} />
      <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required state={state} />
      <SubmitButton pendingLabel="Sending…">Send confirmation link</SubmitButton>
    </form>
  );
}

export function DeleteAccountForm() {
  const [state, action] = useActionState(deleteAccount, IDLE);
  const confirmError = state.fieldErrors?.confirm;
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <div className="field field--check">
        <input
          id="delete-confirm"
          name="confirm"
          type="checkbox"
          aria-invalid={confirmError ? true : undefined}
          aria-describedby={confirmError ? 'delete-confirm-error' : undefined}
        />
        <label htmlFor="delete-confirm">I understand that my account is deleted for good</label>
      </div>
      {confirmError ? (
        <span id="delete-confirm-error" className="field__error">
          {confirmError}
        </span>
      ) : null}
      <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required state={state} />
      <SubmitButton className="button--danger" pendingLabel="Deleting…">
        Delete my account
      </SubmitButton>
    </form>
  );
}

/** The email-change link's page: one button, so a mail scanner that opens the link changes nothing. */
export function ConfirmEmailForm({ token }: { token: string }) {
  const [state, action] = useActionState(confirmEmailChange, IDLE);
  if (state.status === 'success') {
    return (
      <div>
        <p className="notice notice--ok" role="status">
          {state.message}
        </p>
        <p>
          <Link href="/account">Go to your account</Link>
        </p>
      </div>
    );
  }
  return (
    <form action={action} className="account-form">
      <FormMessage state={state} />
      {state.code === 'BAD_USER_INPUT:INVALID_EMAIL_CHANGE_TOKEN' || state.code === 'EMAIL_TAKEN' ? (
        <p>
          <Link href="/account/settings">Change your email again</Link>
        </p>
      ) : null}
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingLabel="Confirming…">Confirm new email address</SubmitButton>
    </form>
  );
}
