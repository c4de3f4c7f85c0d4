import type { ChannelKind, NotificationType } from '../data/prisma.js';

/**
 * Which channels each notification type goes out on, before preferences.
 * SMS only for what is urgent or time-bound; password resets only by email
 * (the link is a credential: it must not sit in an inbox, a lock screen or an
 * SMS log).
 */
export const CHANNELS_BY_TYPE: Readonly<Record<NotificationType, readonly ChannelKind[]>> = {
  WELCOME: ['EMAIL', 'IN_APP'],
  PASSWORD_RESET: ['EMAIL'],
  ORDER_CONFIRMED: ['EMAIL', 'IN_APP', 'PUSH'],
  PAYMENT_FAILED: ['EMAIL', 'IN_APP', 'PUSH', 'SMS'],
  ORDER_SHIPPED: ['EMAIL', 'IN_APP', 'PUSH', 'SMS'],
  ORDER_DELIVERED: ['EMAIL', 'IN_APP', 'PUSH'],
  ORDER_REFUNDED: ['EMAIL', 'IN_APP'],
  // The confirmation link is a credential, like the reset link; the notice goes to an address
  // that is no longer the account's, so only email reaches it.
  EMAIL_CHANGE_CONFIRMATION: ['EMAIL'],
  EMAIL_CHANGED: ['EMAIL'],
};

export const ALL_CHANNELS: readonly ChannelKind[] = ['EMAIL', 'SMS', 'PUSH', 'IN_APP'];

export const ALL_TYPES: readonly NotificationType[] = Object.keys(CHANNELS_BY_TYPE) as NotificationType[];

/** Types that ignore preferences: security messages are always sent. */
export const MANDATORY_TYPES: ReadonlySet<NotificationType> = new Set<NotificationType>([
  'PASSWORD_RESET',
  'EMAIL_CHANGE_CONFIRMATION',
  'EMAIL_CHANGED',
]);
