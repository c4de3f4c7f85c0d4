import { html, safeUrl, type SafeHtml } from './html.js';

/**
 * The frame every email shares: a plain, table-free layout with inline styles
 * (mail clients drop <style> blocks), a heading, the body and a footer. The
 * text version mirrors it line by line.
 */

export const greeting = (name: string | null): string => (name ? `Hello ${name},` : 'Hello,');

export function emailHtml(options: { title: string; preheader: string; body: SafeHtml; action?: { label: string; url: string } }): string {
  const action = options.action
    ? html`<p style="margin:24px 0"><a href="${safeUrl(options.action.url)}" style="background:#111827;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${options.action.label}</a></p>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${options.title}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:Helvetica,Arial,sans-serif;color:#111827">
<span style="display:none;max-height:0;overflow:hidden">${options.preheader}</span>
<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff">
<h1 style="font-size:22px;margin:0 0 16px">${options.title}</h1>
${options.body}
${action}
<p style="margin-top:32px;font-size:12px;color:#6b7280">You receive this email because you have an account with Commerce. You can choose which notifications you get in your account settings.</p>
</div>
</body>
</html>`.value;
}

export function emailText(lines: (string | null | undefined | false)[]): string {
  return `${lines.filter((line) => line !== null && line !== undefined && line !== false).join('\n')}\n\n--\nYou receive this email because you have an account with Commerce.\n`;
}
