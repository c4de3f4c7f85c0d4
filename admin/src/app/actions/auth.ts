'use server';
import { redirect } from 'next/navigation';
import { graphql } from '@/graphql/generated';
import { safeReturnTo } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';
import { endSession, saveSession } from '@/lib/session';

const AdminLoginMutation = graphql(`
  mutation AdminLogin($input: LoginInput!) {
    login(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

const AdminLogoutMutation = graphql(`
  mutation AdminLogout($input: LogoutInput!) {
    logout(input: $input) {
      success
    }
  }
`);

/**
 * Signs in through the router (login mutation) and keeps the tokens in the
 * console's own httpOnly, SameSite=Strict cookies. Whether the account may
 * enter is decided by the page it goes to (lib/auth.ts requireAdmin): a
 * customer's session lands on the 403 page.
 */
export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const email = text(form, 'email').trim();
  const password = text(form, 'password');
  const returnTo = safeReturnTo(text(form, 'returnTo'));
  const values = { email };
  const fieldErrors: Record<string, string> = {};
  if (!email) fieldErrors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) fieldErrors.email = 'Enter an email address like name@example.com.';
  if (!password) fieldErrors.password = 'Enter your password.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    const data = await executeGraphQL(AdminLoginMutation, { variables: { input: { email, password } } });
    await saveSession(data.login);
  } catch (error) {
    return formError(error, { values, fieldNames: ['email', 'password'], codeFields: { INVALID_CREDENTIALS: 'password' } });
  }
  redirect(returnTo);
}

/** Ends the session at the graph (its refresh token) and forgets the cookies, whatever the graph answers. */
export async function signOut(): Promise<void> {
  await endSession((refreshToken) => executeGraphQL(AdminLogoutMutation, { variables: { input: { refreshToken } }, timeoutMs: 5_000 }));
  redirect('/sign-in');
}
