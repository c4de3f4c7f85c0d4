'use server';
import { redirect } from 'next/navigation';
import { type FormState, PASSWORD_RULE } from '@/components/account/form-state';
import { graphql } from '@/graphql/generated';
import { safeReturnTo } from '@/lib/auth';
import { mergeAnonymousCartAfterSignIn } from '@/lib/cart';
import { formError, text } from '@/lib/form-errors';
import { executeGraphQL } from '@/lib/graphql';
import { clearSession, endSession, saveSession } from '@/lib/session';

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout($input: LogoutInput!) {
    logout(input: $input) {
      success
    }
  }
`);

const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
      success
    }
  }
`);

const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      success
    }
  }
`);

/** Sign in, merge the anonymous cart, go back where the shopper came from. */
export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const email = text(form, 'email').trim();
  const password = text(form, 'password');
  const returnTo = safeReturnTo(text(form, 'returnTo'));
  const values = { email };
  const fieldErrors: Record<string, string> = {};
  if (!email) fieldErrors.email = 'Enter your email address.';
  if (!password) fieldErrors.password = 'Enter your password.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    const data = await executeGraphQL(LoginMutation, { variables: { input: { email, password } } });
    await saveSession(data.login);
    await mergeAnonymousCartAfterSignIn(data.login.accessToken);
  } catch (error) {
    return formError(error, { values, fieldNames: { email: 'email', password: 'password' } });
  }
  redirect(returnTo);
}

/** Create the account (signed in at once), merge the anonymous cart, go on. */
export async function signUp(_previous: FormState, form: FormData): Promise<FormState> {
  const name = text(form, 'name').trim();
  const email = text(form, 'email').trim();
  const password = text(form, 'password');
  const returnTo = safeReturnTo(text(form, 'returnTo'));
  const values = { name, email };
  const fieldErrors: Record<string, string> = {};
  if (!name) fieldErrors.name = 'Enter your name.';
  if (!email) fieldErrors.email = 'Enter your email address.';
  if (!password) fieldErrors.password = `Choose a password. ${PASSWORD_RULE}`;
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    const data = await executeGraphQL(RegisterMutation, { variables: { input: { name, email, password } } });
    await saveSession(data.register);
    await mergeAnonymousCartAfterSignIn(data.register.accessToken);
  } catch (error) {
    return formError(error, {
      values,
      codeFields: { EMAIL_TAKEN: 'email', WEAK_PASSWORD: 'password' },
      messages: { WEAK_PASSWORD: `This password is too weak. ${PASSWORD_RULE}` },
    });
  }
  redirect(returnTo);
}

/** Ends the session at the graph (its refresh token) and forgets the cookies, whatever the graph answers. */
export async function signOut(): Promise<void> {
  await endSession((refreshToken) => executeGraphQL(LogoutMutation, { variables: { input: { refreshToken } }, timeoutMs: 5_000 }));
  redirect('/');
}

/** Always the same answer, whether or not an account has this email. */
export async function requestPasswordReset(_previous: FormState, form: FormData): Promise<FormState> {
  const email = text(form, 'email').trim();
  const values = { email };
  if (!email) return { status: 'error', fieldErrors: { email: 'Enter your email address.' }, values };
  try {
    await executeGraphQL(RequestPasswordResetMutation, { variables: { input: { email } } });
  } catch (error) {
    return formError(error, { values });
  }
  return {
    status: 'success',
    message: 'If an account exists for this email, we sent a link to reset the password. It works for 30 minutes.',
    values,
  };
}

/** The form the reset email's link opens. */
export async function resetPassword(_previous: FormState, form: FormData): Promise<FormState> {
  const token = text(form, 'token');
  const newPassword = text(form, 'password');
  const confirm = text(form, 'confirmPassword');
  if (!newPassword) return { status: 'error', fieldErrors: { password: `Choose a new password. ${PASSWORD_RULE}` } };
  if (confirm !== newPassword) return { status: 'error', fieldErrors: { confirmPassword: 'The two passwords do not match.' } };
  try {
    await executeGraphQL(ResetPasswordMutation, { variables: { input: { token, newPassword } } });
  } catch (error) {
    return formError(error, {
      codeFields: { WEAK_PASSWORD: 'password' },
      messages: { WEAK_PASSWORD: `This password is too weak. ${PASSWORD_RULE}` },
    });
  }
  // Every session of the account ended: this browser's too.
  await clearSession();
  return { status: 'success', message: 'Password changed. Sign in with your new password.' };
}
