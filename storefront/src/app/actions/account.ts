'use server';
import { refresh } from 'next/cache';
import { redirect } from 'next/navigation';
import { type FormState, PASSWORD_RULE } from '@/components/account/form-state';
import { graphql } from '@/graphql/generated';
import { signInPath } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import { executeGraphQL } from '@/lib/graphql';
import { accessToken, clearSession, saveSession } from '@/lib/session';

const CreateAddressMutation = graphql(`
  mutation CreateAddress($input: CreateAddressInput!) {
    createAddress(input: $input) {
      id
    }
  }
`);

const UpdateAddressMutation = graphql(`
  mutation UpdateAddress($input: UpdateAddressInput!) {
    updateAddress(input: $input) {
      id
    }
  }
`);

const DeleteAddressMutation = graphql(`
  mutation DeleteAddress($input: DeleteAddressInput!) {
    deleteAddress(input: $input) {
      deletedAddressId
    }
  }
`);

const SetDefaultAddressMutation = graphql(`
  mutation SetDefaultAddress($input: SetDefaultAddressInput!) {
    setDefaultAddress(input: $input) {
      id
    }
  }
`);

const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      name
    }
  }
`);

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

const RequestEmailChangeMutation = graphql(`
  mutation RequestEmailChange($input: RequestEmailChangeInput!) {
    requestEmailChange(input: $input) {
      newEmail
      expiresAt
    }
  }
`);

const ConfirmEmailChangeMutation = graphql(`
  mutation ConfirmEmailChange($input: ConfirmEmailChangeInput!) {
    confirmEmailChange(input: $input) {
      email
    }
  }
`);

const DeleteAccountMutation = graphql(`
  mutation DeleteAccount($input: DeleteAccountInput!) {
    deleteAccount(input: $input) {
      deletedUserId
    }
  }
`);

/** The token for a write; a shopper whose session ended goes to sign in and comes back. */
async function tokenOrSignIn(returnTo: string): Promise<string> {
  const token = await accessToken();
  if (!token) redirect(signInPath(returnTo));
  return token;
}

const ADDRESS_FIELDS = ['fullName', 'line1', 'line2', 'city', 'region', 'postalCode', 'countryCode', 'phone'] as const;
const REQUIRED: Record<string, string> = {
  fullName: 'Enter the full name.',
  line1: 'Enter the street address.',
  city: 'Enter the city.',
  postalCode: 'Enter the postal code.',
  countryCode: 'Choose the country.',
};

function readAddress(form: FormData) {
  const values = Object.fromEntries(ADDRESS_FIELDS.map((name) => [name, text(form, name).trim()])) as Record<
    (typeof ADDRESS_FIELDS)[number],
    string
  >;
  const fieldErrors: Record<string, string> = {};
  for (const [name, message] of Object.entries(REQUIRED)) if (!values[name as keyof typeof values]) fieldErrors[name] = message;
  return { values, fieldErrors };
}

/** The form's address as the graph's create and update inputs take it (an empty optional field is null). */
function addressInput(values: ReturnType<typeof readAddress>['values']) {
  return {
    fullName: values.fullName,
    line1: values.line1,
    line2: values.line2 || null,
    city: values.city,
    region: values.region || null,
    postalCode: values.postalCode,
    countryCode: values.countryCode,
    phone: values.phone || null,
  };
}

const WRONG_PASSWORD = 'Your current password is not right.';

/** The password that proves a sensitive change; an empty one is a field error. */
function readCurrentPassword(form: FormData, fieldErrors: Record<string, string>): string {
  const value = text(form, 'currentPassword');
  if (!value) fieldErrors.currentPassword = 'Enter your current password.';
  return value;
}

export async function createAddress(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/addresses/new');
  const { values, fieldErrors } = readAddress(form);
  const formValues = { ...values, makeDefault: form.get('makeDefault') ? 'on' : '' };
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values: formValues };
  try {
    await executeGraphQL(CreateAddressMutation, {
      accessToken: token,
      variables: {
        input: { ...addressInput(values), makeDefault: Boolean(form.get('makeDefault')) },
      },
    });
  } catch (error) {
    return formError(error, { values: formValues });
  }
  redirect('/account/addresses?saved=1');
}

export async function updateAddress(_previous: FormState, form: FormData): Promise<FormState> {
  const id = text(form, 'id');
  const token = await tokenOrSignIn(`/account/addresses/${encodeURIComponent(id)}`);
  const { values, fieldErrors } = readAddress(form);
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    await executeGraphQL(UpdateAddressMutation, {
      accessToken: token,
      variables: {
        input: { id, ...addressInput(values) },
      },
    });
  } catch (error) {
    return formError(error, { values, messages: { NOT_FOUND: 'This address no longer exists.' } });
  }
  redirect('/account/addresses?saved=1');
}

export async function deleteAddress(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/addresses');
  try {
    await executeGraphQL(DeleteAddressMutation, { accessToken: token, variables: { input: { id: text(form, 'id') } } });
  } catch (error) {
    return formError(error, { messages: { NOT_FOUND: 'This address was already deleted.' } });
  }
  redirect('/account/addresses?deleted=1');
}

export async function setDefaultAddress(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/addresses');
  try {
    await executeGraphQL(SetDefaultAddressMutation, { accessToken: token, variables: { input: { addressId: text(form, 'id') } } });
  } catch (error) {
    return formError(error, { messages: { NOT_FOUND: 'This address no longer exists.' } });
  }
  redirect('/account/addresses');
}

export async function updateProfile(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/settings');
  const name = text(form, 'name').trim();
  const values = { name };
  if (!name) return { status: 'error', fieldErrors: { name: 'Enter your name.' }, values };
  try {
    await executeGraphQL(UpdateProfileMutation, { accessToken: token, variables: { input: { name } } });
  } catch (error) {
    return formError(error, { values });
  }
  refresh();
  return { status: 'success', message: 'Your name was saved.', values };
}

/** Every session of the account ends; this browser gets the fresh one the graph answers with. */
export async function changePassword(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/settings');
  const fieldErrors: Record<string, string> = {};
  const password = readCurrentPassword(form, fieldErrors);
  const newPassword = text(form, 'newPassword');
  if (!newPassword) fieldErrors.newPassword = `Choose a new password. ${PASSWORD_RULE}`;
  else if (text(form, 'confirmNewPassword') !== newPassword) fieldErrors.confirmNewPassword = 'The two new passwords do not match.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors };
  try {
    const data = await executeGraphQL(ChangePasswordMutation, { accessToken: token, variables: { input: { currentPassword: password, newPassword } } });
    await saveSession(data.changePassword);
  } catch (error) {
    return formError(error, {
      codeFields: { INVALID_CREDENTIALS: 'currentPassword', WEAK_PASSWORD: 'newPassword' },
      messages: {
        INVALID_CREDENTIALS: WRONG_PASSWORD,
        WEAK_PASSWORD: `This password is too weak. ${PASSWORD_RULE}`,
      },
    });
  }
  return { status: 'success', message: 'Your password was changed. You were signed out on your other devices.' };
}

/** Sends the confirmation link to the new address; the email changes once it is opened. */
export async function requestEmailChange(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/settings');
  const newEmail = text(form, 'newEmail').trim();
  const values = { newEmail };
  const fieldErrors: Record<string, string> = {};
  if (!newEmail) fieldErrors.newEmail = 'Enter the new email address.';
  const password = readCurrentPassword(form, fieldErrors);
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    const data = await executeGraphQL(RequestEmailChangeMutation, { accessToken: token, variables: { input: { newEmail, currentPassword: password } } });
    return {
      status: 'success',
      message: `We sent a confirmation link to ${data.requestEmailChange.newEmail}. Your email changes when you open it (within 24 hours).`,
    };
  } catch (error) {
    return formError(error, {
      values,
      codeFields: { INVALID_CREDENTIALS: 'currentPassword', EMAIL_TAKEN: 'newEmail' },
      messages: {
        INVALID_CREDENTIALS: WRONG_PASSWORD,
        EMAIL_TAKEN: 'Another account already uses this email address.',
      },
    });
  }
}

/** The page the email-change link opens (no session needed). */
export async function confirmEmailChange(_previous: FormState, form: FormData): Promise<FormState> {
  try {
    const data = await executeGraphQL(ConfirmEmailChangeMutation, { variables: { input: { token: text(form, 'token') } } });
    return { status: 'success', message: `Your email address is now ${data.confirmEmailChange.email}.` };
  } catch (error) {
    return formError(error, { messages: { EMAIL_TAKEN: 'Another account took this email address in the meantime. Choose another one.' } });
  }
}

/** Deletes the account for good (proven with the password), signs out and says goodbye. */
export async function deleteAccount(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/settings');
  const fieldErrors: Record<string, string> = {};
  if (form.get('confirm') !== 'on') fieldErrors.confirm = 'Tick the box to confirm that you want to delete your account.';
  const password = readCurrentPassword(form, fieldErrors);
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors };
  try {
    await executeGraphQL(DeleteAccountMutation, { accessToken: token, variables: { input: { currentPassword: password } } });
  } catch (error) {
    return formError(error, {
      codeFields: { INVALID_CREDENTIALS: 'currentPassword' },
      messages: { INVALID_CREDENTIALS: WRONG_PASSWORD },
    });
  }
  await clearSession();
  redirect('/account/deleted');
}
