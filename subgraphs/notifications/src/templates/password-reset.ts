import { html } from './html.js';
import { emailHtml, emailText, greeting } from './layout.js';
import type { RenderedNotification } from './types.js';

export interface PasswordResetData {
  name: string;
  /** `${STOREFRONT_URL}/reset-password?token=…`: a live credential until it expires or is used. */
  resetUrl: string;
  expiresAt: Date;
}

const minutesLeft = (expiresAt: Date, now: Date): number => Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000));

/** user.password_reset_requested. Email only; always sent, whatever the preferences. */
export function passwordResetTemplate(data: PasswordResetData, now: Date = new Date()): RenderedNotification {
  const minutes = minutesLeft(data.expiresAt, now);
  const validity = `The link works once, for the next ${minutes} minutes.`;
  const ignore = 'If you did not ask for this, ignore this email: your password stays as it is.';
  return {
    subject: 'Reset your Commerce password',
    text: emailText([greeting(data.name), '', 'Someone (hopefully you) asked to reset the password of your Commerce account. Choose a new one here:', data.resetUrl, '', validity, ignore]),
    html: emailHtml({
      title: 'Reset your password',
      preheader: validity,
      body: html`<p>${greeting(data.name)}</p><p>Someone (hopefully you) asked to reset the password of your Commerce account.</p><p>${validity}</p><p style="color:#6b7280">${ignore}</p>`,
      action: { label: 'Choose a new password', url: data.resetUrl },
    }),
    title: 'Reset your password',
    body: validity,
    link: null,
  };
}
