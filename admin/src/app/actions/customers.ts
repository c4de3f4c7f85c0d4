'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';

const SetUserRoleMutation = graphql(`
  mutation AdminSetUserRole($input: SetUserRoleInput!) {
    setUserRole(input: $input) {
      id
      role
    }
  }
`);

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Grants (ADMIN) or revokes (CUSTOMER) the admin role; recorded in usersAuditLog. An admin cannot revoke their own. */
export async function setUserRole(_previous: FormState, form: FormData): Promise<FormState> {
  const viewer = await requireAdmin();
  const userId = text(form, 'userId');
  const role = text(form, 'role');
  if (!ID.test(userId) || (role !== 'ADMIN' && role !== 'CUSTOMER')) return { status: 'error', message: 'This form is incomplete. Reload the page.' };
  if (userId === viewer.id && role !== 'ADMIN') return { status: 'error', message: 'You cannot revoke your own admin role: ask another admin.' };
  try {
    await executeGraphQL(SetUserRoleMutation, { variables: { input: { userId, role } }, accessToken: viewer.token });
  } catch (error) {
    return formError(error, { messages: { FORBIDDEN: 'You cannot revoke your own admin role: ask another admin.' } });
  }
  refresh();
  return { status: 'success', message: role === 'ADMIN' ? 'Admin role granted. Their sessions ended; they sign in again.' : 'Admin role revoked. Their sessions ended.' };
}
