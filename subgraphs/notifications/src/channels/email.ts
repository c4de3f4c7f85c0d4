import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../settings.js';
import { asEmailContent, type NotificationChannel, type OutgoingMessage, type SendResult } from './channel.js';

/**
 * Email over SMTP with nodemailer. Each message's Message-ID is derived from
 * its delivery id (`<delivery-id@domain>`), so should a message be sent twice
 * (the SMTP server accepted it, and the process died before the delivery was
 * marked SENT), the copies are recognisably the same message; the
 * `X-Commerce-Delivery-Id` header says the same for tooling.
 */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'EMAIL' as const;
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #messageIdDomain: string;

  constructor(options: { transport: Transporter; from: string; messageIdDomain?: string }) {
    this.#transport = options.transport;
    this.#from = options.from;
    this.#messageIdDomain = options.messageIdDomain ?? domainOf(options.from) ?? 'commerce.local';
  }

  static fromSettings(smtp: SmtpSettings, from: string): EmailChannel {
    const timeout = smtp.timeoutMs ?? 10_000;
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.auth ? { auth: smtp.auth } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    return new EmailChannel({ transport, from });
  }

  /** The Message-ID a delivery's email carries. */
  messageIdFor(deliveryId: string): string {
    return `<${deliveryId}@${this.#messageIdDomain}>`;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const content = asEmailContent(message.content);
    const info = await this.#transport.sendMail({
      from: this.#from,
      to: message.recipient,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId: this.messageIdFor(message.deliveryId),
      headers: {
        'X-Commerce-Delivery-Id': message.deliveryId,
        'X-Commerce-Event-Id': message.eventId,
        'X-Commerce-Notification-Type': message.type,
      },
    });
    const rejected = (info.rejected as unknown[] | undefined) ?? [];
    if (rejected.length > 0) throw new Error(`SMTP server rejected the recipient: ${String(info.response ?? '')}`);
    return { providerMessageId: typeof info.messageId === 'string' ? info.messageId : this.messageIdFor(message.deliveryId) };
  }

  close(): void {
    this.#transport.close();
  }
}

/** `"Shop" <no-reply@shop.example>` → `shop.example`. */
function domainOf(address: string): string | undefined {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address);
  return match?.[1];
}
