import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AccountShell } from '@/components/account/account-shell';
import { ChangeEmailForm, ChangePasswordForm, DeleteAccountForm, ProfileForm } from '@/components/account/settings-forms';
import { graphql } from '@/graphql/generated';
import { personalQuery, signInPath } from '@/lib/auth';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account settings', robots: { index: false } };

const AccountSettingsQuery = graphql(`
  query AccountSettings {
    me {
      id
      name
      email
    }
  }
`);

export default async function AccountSettingsPage() {
  const data = await personalQuery(AccountSettingsQuery, '/account/settings');
  if (!data.me) redirect(signInPath('/account/settings'));
  const { name, email } = data.me;
  return (
    <AccountShell current="/account/settings">
      <h1>Account settings</h1>
      <section aria-labelledby="name-heading" className="account-card">
        <h2 id="name-heading">Your name</h2>
        <ProfileForm name={name} />
      </section>
      <section aria-labelledby="password-heading" className="account-card">
        <h2 id="password-heading">Change password</h2>
        <ChangePasswordForm />
      </section>
      <section aria-labelledby="email-heading" className="account-card">
        <h2 id="email-heading">Change email</h2>
        <ChangeEmailForm email={email} />
      </section>
      <section aria-labelledby="delete-heading" className="account-card danger-zone">
        <h2 id="delete-heading">Delete account</h2>
        <p>Deleting your account removes your profile, address book and sign-ins for good. You cannot undo it.</p>
        <p>
          Your orders are kept, because we must keep them for accounting and legal reasons, but they are no longer linked
          to you: you will not see them in an account again. Your reviews stay, without your name.
        </p>
        <DeleteAccountForm />
      </section>
    </AccountShell>
  );
}
