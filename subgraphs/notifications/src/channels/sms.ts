import type { Logger } from '@commerce/observability';
import { asSmsContent, type NotificationChannel, type OutgoingMessage, type SendResult } from './channel.js';

/** Whoever actually sends text messages (Twilio, SNS, …). Resolves when the provider accepted the message. */
export interface SmsProvider {
  sendSms(to: string, text: string, meta: { deliveryId: string }): Promise<{ id?: string | null }>;
}

/** For local use: writes each SMS to the log instead of sending it. */
export class LoggingSmsProvider implements SmsProvider {
  constructor(private readonly logger: Logger) {}

  async sendSms(to: string, text: string, meta: { deliveryId: string }): Promise<{ id: string }> {
    this.logger.info({ channel: 'sms', to: maskPhone(to), deliveryId: meta.deliveryId, text }, 'SMS (logging provider, not sent)');
    return { id: `logged-sms-${meta.deliveryId}` };
  }
}

/** Only the last digits of a phone number go to logs. */
export const maskPhone = (phone: string): string => `…${phone.replace(/\D/g, '').slice(-3)}`;

export class SmsChannel implements NotificationChannel {
  readonly kind = 'SMS' as const;
  constructor(private readonly provider: SmsProvider) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const { text } = asSmsContent(message.content);
    const result = await this.provider.sendSms(message.recipient, text, { deliveryId: message.deliveryId });
    return { providerMessageId: result.id ?? null };
  }
}
