import { html } from './html.js';
import { emailHtml, emailText, greeting } from './layout.js';
import type { RenderedNotification } from './types.js';

export interface WelcomeData {
  name: string;
  storefrontUrl: string;
}

/** After registration (user.registered). */
export function welcomeTemplate(data: WelcomeData): RenderedNotification {
  const title = 'Welcome to Commerce';
  const body = 'Your account is ready. Happy shopping!';
  return {
    subject: `Welcome to Commerce, ${data.name}!`,
    text: emailText([greeting(data.name), '', 'Your account is ready. Start shopping:', data.storefrontUrl]),
    html: emailHtml({
      title,
      preheader: body,
      body: html`<p>${greeting(data.name)}</p><p>Your account is ready. We are glad to have you.</p>`,
      action: { label: 'Start shopping', url: data.storefrontUrl },
    }),
    title,
    body,
    link: data.storefrontUrl,
  };
}
