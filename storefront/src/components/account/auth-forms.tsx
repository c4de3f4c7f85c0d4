'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { requestPasswordReset, resetPassword, signIn, signUp } from '@/app/actions/auth';
import { Field, FormMessage, SubmitButton } from './fields';
import { IDLE, PASSWORD_RULE } from './form-state';

export function SignInForm({ returnTo }: { returnTo: string }) {
  const [state, action] = useActionState(signIn, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
      <Field name="password" label="Password" type="password" autoComplete="current-password" required state={state} />
      <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
      <p className="account-form__links">
        <Link href="/account/forgot-password">Forgot your password?</Link>
      </p>
    </form>
  );
}

export function SignUpForm({ returnTo }: { returnTo: string }) {
  const [state, action] = useActionState(signUp, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="returnTo" value={returnTo} />
      <Field name="name" label="Name" autoComplete="name" required state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint={PASSWORD_RULE}
        state={state}
      />
      {state.code === 'EMAIL_TAKEN' ? (
        <p>
          <Link href={`/account/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>Sign in</Link> or{' '}
          <Link href="/account/forgot-password">reset your password</Link>.
        </p>
      ) : null}
      <SubmitButton pendingLabel="Creating your account…">Create account</SubmitButton>
    </form>
  );
}

export function ForgotPasswordForm() {
  const [state, action] = useActionState(requestPasswordReset, IDLE);
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
      <SubmitButton pendingLabel="Sending…">Send reset link</SubmitButton>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState(resetPassword, IDLE);
  if (state.status === 'success') {
    return (
      <div className="account-form">
        <p className="notice notice--ok" role="status">
          {state.message}
        </p>
        <p>
          <Link className="button" href="/account/sign-in">
            Sign in
          </Link>
        </p>
      </div>
    );
  }
  return (
    <form action={action} className="account-form" noValidate>
      <FormMessage state={state} />
      {state.code === 'BAD_USER_INPUT:INVALID_RESET_TOKEN' ? (
        <p>
          <Link href="/account/forgot-password">Request a new reset link</Link>
        </p>
      ) : null}
      <input type="hidden" name="token" value={token} />
      <Field
        name="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint={PASSWORD_RULE}
        state={state}
      />
      <Field name="confirmPassword" label="Repeat the new password" type="password" autoComplete="new-password" required state={state} />
      <SubmitButton pendingLabel="Saving…">Set new password</SubmitButton>
    </form>
  );
}
