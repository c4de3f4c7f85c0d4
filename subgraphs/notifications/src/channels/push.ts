import type { Logger } from '@commerce/observability';
import { asShortContent, type NotificationChannel, type OutgoingMessage, type SendResult, type ShortContent } from './channel.js';

/**
 * Whoever delivers push notifications to a user's devices (FCM, APNs, Web
 * Push, …). Addressed by user id: the provider knows the user's devices.
 */
export interface PushProvider {
  push(userId: string, content: ShortContent, meta: { deliveryId: string }): Promise<{ id?: string | null }>;
}

/** For local use: writes each push notification to the log instead of sending it. */
export class LoggingPushProvider implements PushProvider {
  constructor(private readonly logger: Logger) {}

  async push(userId: string, content: ShortContent, meta: { deliveryId: string }): Promise<{ id: string }> {
    this.logger.info({ channel: 'push', userId, deliveryId: meta.deliveryId, title: content.title, body: content.body }, 'push (logging provider, not sent)');
    return { id: `logged-push-${meta.deliveryId}` };
  }
}

export class PushChannel implements NotificationChannel {
  readonly kind = 'PUSH' as const;
  constructor(private readonly provider: PushProvider) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const result = await this.provider.push(message.recipient, asShortContent(message.content), { deliveryId: message.deliveryId });
    return { providerMessageId: result.id ?? null };
  }
}
