import { readEnv, readIntEnv } from '@commerce/config';

/**
 * Environment-driven settings of the notifications subgraph, read once when
 * the subgraph is built. Every one has a local default, so `npm start` works
 * with nothing set; options of `notificationsSubgraph()` override them.
 */

/** SMTP connection (nodemailer's options, the subset we configure). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Without it nodemailer upgrades with STARTTLS when offered. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Connection, greeting and socket timeouts in ms (default 10 s): a hung server must not hold a dispatcher slot. */
  timeoutMs?: number;
}

/** SMTP_HOST/SMTP_PORT/SMTP_SECURE/SMTP_USER/SMTP_PASS; development default localhost:1025 (a local mail sink). */
export function smtpSettingsFromEnv(): SmtpSettings {
  const user = readEnv('SMTP_USER');
  const pass = readEnv('SMTP_PASS');
  return {
    host: readEnv('SMTP_HOST', 'localhost'),
    port: readIntEnv('SMTP_PORT', 1025),
    secure: readEnv('SMTP_SECURE', 'false') === 'true',
    ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
    timeoutMs: readIntEnv('SMTP_TIMEOUT_MS', 10_000),
  };
}

/** The sender of every email: MAIL_FROM, default `"Commerce" <no-reply@commerce.local>`. */
export const mailFromEnv = (): string => readEnv('MAIL_FROM', '"Commerce" <no-reply@commerce.local>');

/** Base of every link in a notification: STOREFRONT_URL, default http://localhost:3000 (no trailing slash). */
export const storefrontUrlFromEnv = (): string => readEnv('STOREFRONT_URL', 'http://localhost:3000').replace(/\/+$/, '');

/**
 * Events older than this (NOTIFICATION_MAX_EVENT_AGE_MS, default 24 h) still
 * update the read models but notify nobody: a new consumer group reads the
 * topics from the beginning, and replaying history must not mail every
 * customer about last month's orders.
 */
export const maxEventAgeMsFromEnv = (): number => readIntEnv('NOTIFICATION_MAX_EVENT_AGE_MS', 24 * 60 * 60 * 1000);

export interface DispatcherSettings {
  /** How often to look for due deliveries when no NOTIFY arrives (default 1 s). */
  pollIntervalMs: number;
  /** Deliveries claimed per round (default 20). */
  batchSize: number;
  /** Deliveries sent at once by one instance (default 5). */
  concurrency: number;
  /** Attempts before a delivery is FAILED (default 6: ~1 min, then 2, 4, 8, 16 min of backoff). */
  maxAttempts: number;
  /** Delay before the first retry (default 60 s), doubling per attempt up to `backoffMaxMs`. */
  backoffInitialMs: number;
  /** Longest delay between attempts (default 1 h). */
  backoffMaxMs: number;
  /**
   * How long a claimed delivery is reserved for the instance that claimed it
   * (default 60 s; above the SMTP timeouts). If that instance dies mid-send,
   * another picks the delivery up once the lease has run out.
   */
  leaseMs: number;
}

export function dispatcherSettingsFromEnv(): DispatcherSettings {
  return {
    pollIntervalMs: readIntEnv('NOTIFICATION_DISPATCH_POLL_MS', 1_000),
    batchSize: readIntEnv('NOTIFICATION_DISPATCH_BATCH', 20),
    concurrency: readIntEnv('NOTIFICATION_DISPATCH_CONCURRENCY', 5),
    maxAttempts: readIntEnv('NOTIFICATION_MAX_ATTEMPTS', 6),
    backoffInitialMs: readIntEnv('NOTIFICATION_BACKOFF_INITIAL_MS', 60_000),
    backoffMaxMs: readIntEnv('NOTIFICATION_BACKOFF_MAX_MS', 60 * 60 * 1000),
    leaseMs: readIntEnv('NOTIFICATION_LEASE_MS', 60_000),
  };
}
