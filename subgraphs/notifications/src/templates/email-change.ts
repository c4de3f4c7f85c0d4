import { html } from './html.js';
import { emailHtml, emailText, greeting } from './layout.js';
import type { RenderedNotification } from './types.js';

export interface EmailChangeConfirmationData {
  name: string;
  /** The address being confirmed (this email's recipient). */
  newEmail: string;
  /** `${STOREFRONT_URL}/account/confirm-email?token=…`: a live credential until it expires or is used. */
  confirmUrl: string;
  expiresAt: Date;
}

const hoursLeft = (expiresAt: Date, now: Date): number => Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 3_600_000));

/** user.email_change_requested, to the NEW address. Email only; always sent, whatever the preferences. */
export function emailChangeConfirmationTemplate(data: EmailChangeConfirmationData, now: Date = new Date()): RenderedNotification {
  const hours = hoursLeft(data.expiresAt, now);
  const validity = `The link works once, for the next ${hours} ${hours === 1 ? 'hour' : 'hours'}.`;
  const ignore = 'If you did not ask for this, ignore this email: no account will use this address.';
  const intro = `Confirm that ${data.newEmail} is the new email address of your Commerce account:`;
  return {
    subject: 'Confirm your new Commerce email address',
    text: emailText([greeting(data.name), '', intro, data.confirmUrl, '', validity, ignore]),
    html: emailHtml({
      title: 'Confirm your new email address',
      preheader: validity,
      body: html`<p>${greeting(data.name)}</p><p>Confirm that <strong>${data.newEmail}</strong> is the new email address of your Commerce account.</p><p>${validity}</p><p style="color:#6b7280">${ignore}</p>`,
      action: { label: 'Confirm this address', url: data.confirmUrl },
    }),
    title: 'Confirm your new email address',
    body: validity,
    link: null,
  };
}

export interface EmailChangedData {
  name: string;
  /** The account's address from now on (the notice goes to the previous one). */
  newEmail: string;
  /** Where to get help or secure the account: the storefront's sign-in page. */
  accountUrl: string;
}

/** user.email_changed, a security notice to the PREVIOUS address. Email only; always sent. */
export function emailChangedTemplate(data: EmailChangedData): RenderedNotification {
  const body = `The email address of your Commerce account is now ${data.newEmail}.`;
  const warning = 'If you did not make this change, reset your password right away and contact us: someone else may have access to your account.';
  return {
    subject: 'Your Commerce email address was changed',
    text: emailText([greeting(data.name), '', body, 'This address will no longer receive emails about your account.', '', warning, data.accountUrl]),
    html: emailHtml({
      title: 'Your email address was changed',
      preheader: body,
      body: html`<p>${greeting(data.name)}</p><p>The email address of your Commerce account is now <strong>${data.newEmail}</strong>. This address will no longer receive emails about your account.</p><p style="color:#6b7280">${warning}</p>`,
      action: { label: 'Go to your account', url: data.accountUrl },
    }),
    title: 'Your email address was changed',
    body,
    link: data.accountUrl,
  };
}
