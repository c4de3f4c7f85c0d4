'use server';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/account/form-state';
import { graphql } from '@/graphql/generated';
import { signInPath } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import { executeGraphQL } from '@/lib/graphql';
import { accessToken } from '@/lib/session';

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

export async function createAddress(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await tokenOrSignIn('/account/addresses/new');
  const { values, fieldErrors } = readAddress(form);
  const formValues = { ...values, makeDefault: form.get('makeDefault') ? 'on' : '' };
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values: formValues };
  try {
    await executeGraphQL(CreateAddressMutation, {
      accessToken: token,
      variables: {
        input: {
          fullName: values.fullName,
          line1: values.line1,
          line2: values.line2 || null,
          city: values.city,
          region: values.region || null,
          postalCode: values.postalCode,
          countryCode: values.countryCode,
          phone: values.phone || null,
          makeDefault: Boolean(form.get('makeDefault')),
        },
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
        input: {
          id,
          fullName: values.fullName,
          line1: values.line1,
          line2: values.line2 || null,
          city: values.city,
          region: values.region || null,
          postalCode: values.postalCode,
          countryCode: values.countryCode,
          phone: values.phone || null,
        },
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
  return { status: 'success', message: 'Your name was saved.', values };
}
