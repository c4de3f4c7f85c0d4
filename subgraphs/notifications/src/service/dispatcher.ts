/**
 * The dispatcher: sends due deliveries, apart from the Kafka consumer.
 *
 *   consumer tx ── INSERT deliveries (PENDING) + pg_notify ──▶ commit
 *   dispatcher  ── claim due rows (FOR UPDATE SKIP LOCKED; attempts + 1; lease) ──▶ send ──▶ SENT | RETRYING | FAILED
 *
 * Claiming is one short statement: the due rows are locked with SKIP LOCKED
 * (so several instances never claim the same row), their attempt counted and
 * their next_attempt_at pushed one lease ahead. The send happens outside any
 * transaction, and the outcome is written with a conditional UPDATE that only
 * matches while the row is still this attempt's (status open, attempts equal),
 * so a late outcome of an attempt whose lease ran out changes nothing.
 *
 * A failed attempt is retried with exponential backoff (with jitter) until
 * `maxAttempts`, then the delivery is FAILED. An instance that dies mid-send
 * leaves the row claimed until the lease runs out; another then retries it.
 *
 * Every attempt that records an outcome also leaves a delivery_attempts row
 * (attempt number, SENT or FAILED, the error), written by the same statement:
 * the admin console's delivery log shows retries and failures from it.
 *
 * At-least-once window: if the provider accepted a message and the process
 * died before the SENT update, the message is sent again once the lease runs
 * out. Emails carry a Message-ID derived from the delivery id, so such a copy
 * is identifiable (and deduplicated by many mail systems); the in-app channel
 * is idempotent by delivery id.
 */
import pg from 'pg';
import { backoffDelay } from '@commerce/events';
import type { Logger } from '@commerce/observability';
import { PermanentDeliveryError, type ChannelContent, type NotificationChannel } from '../channels/channel.js';
import type { ChannelKind, NotificationsPrisma, NotificationType } from '../data/prisma.js';
import type { DispatcherSettings } from '../settings.js';
import { DELIVERIES_NOTIFY_CHANNEL } from './delivery.service.js';

export interface DispatcherOptions {
  prisma: NotificationsPrisma;
  /** The channel for each kind; a delivery for a kind without one fails at once. */
  channels: Partial<Record<ChannelKind, NotificationChannel>>;
  settings: DispatcherSettings;
  logger: Logger;
  /** LISTEN here for new deliveries (the notifications database); without it the dispatcher only polls. */
  databaseUrl?: string;
  /** Run the loop (default true). Tests that drive `runOnce()` themselves pass false. */
  loop?: boolean;
}

export interface Dispatcher {
  /** Claims and sends one batch of due deliveries; resolves with how many were attempted. */
  runOnce(): Promise<number>;
  /** Makes the loop look for due deliveries now. */
  wake(): void;
  /** Ends the loop after the sends in flight; safe to call twice. */
  stop(): Promise<void>;
}

interface ClaimedRow {
  id: string;
  event_id: string;
  type: NotificationType;
  channel: ChannelKind;
  recipient: string;
  user_id: string | null;
  content: unknown;
  attempts: number;
}

/** Errors are kept short in the delivery log, and never with message content. */
const MAX_ERROR_LENGTH = 1_000;
const errorText = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);

/** Message content is dropped once final for types whose content is a credential. */
const SENSITIVE_TYPES: ReadonlySet<NotificationType> = new Set<NotificationType>(['PASSWORD_RESET', 'EMAIL_CHANGE_CONFIRMATION']);

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const { prisma, channels, settings, logger } = options;
  const log = { component: 'notification-dispatcher' };
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;

  async function claim(): Promise<ClaimedRow[]> {
    return prisma.$queryRaw<ClaimedRow[]>`
      WITH due AS (
        SELECT id FROM deliveries
         WHERE status IN ('PENDING', 'RETRYING') AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT ${settings.batchSize}::int
         FOR UPDATE SKIP LOCKED
      )
      UPDATE deliveries d
         SET attempts = d.attempts + 1,
             next_attempt_at = now() + ${settings.leaseMs}::int * interval '1 millisecond',
             updated_at = now()
        FROM due
       WHERE d.id = due.id
   RETURNING d.id::text AS id, d.event_id::text AS event_id, d.type::text AS type, d.channel::text AS channel,
             d.recipient, d.user_id::text AS user_id, d.content, d.attempts`;
  }

  async function markSent(row: ClaimedRow, providerMessageId: string | null): Promise<void> {
    const clearContent = SENSITIVE_TYPES.has(row.type);
    // The outcome and its attempt row in one statement: an attempt whose lease ran out records neither.
    await prisma.$executeRaw`
      WITH done AS (
        UPDATE deliveries
           SET status = 'SENT', sent_at = now(), last_error = NULL, provider_message_id = ${providerMessageId},
               content = CASE WHEN ${clearContent}::boolean THEN NULL ELSE content END, updated_at = now()
         WHERE id = ${row.id}::uuid AND attempts = ${row.attempts}::int AND status IN ('PENDING', 'RETRYING')
        RETURNING id, attempts
      )
      INSERT INTO delivery_attempts (delivery_id, attempt, outcome, provider_message_id)
      SELECT id, attempts, 'SENT', ${providerMessageId} FROM done
      ON CONFLICT (delivery_id, attempt) DO NOTHING`;
  }

  async function markFailed(row: ClaimedRow, error: unknown): Promise<'RETRYING' | 'FAILED'> {
    const final = row.attempts >= settings.maxAttempts || error instanceof PermanentDeliveryError;
    const message = errorText(error);
    if (final) {
      const clearContent = SENSITIVE_TYPES.has(row.type);
      await prisma.$executeRaw`
        WITH done AS (
          UPDATE deliveries
             SET status = 'FAILED', failed_at = now(), last_error = ${message},
                 content = CASE WHEN ${clearContent}::boolean THEN NULL ELSE content END, updated_at = now()
           WHERE id = ${row.id}::uuid AND attempts = ${row.attempts}::int AND status IN ('PENDING', 'RETRYING')
          RETURNING id, attempts
        )
        INSERT INTO delivery_attempts (delivery_id, attempt, outcome, error)
        SELECT id, attempts, 'FAILED', ${message} FROM done
        ON CONFLICT (delivery_id, attempt) DO NOTHING`;
      return 'FAILED';
    }
    const delay = backoffDelay(row.attempts, { initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs });
    await prisma.$executeRaw`
      WITH done AS (
        UPDATE deliveries
           SET status = 'RETRYING', last_error = ${message},
               next_attempt_at = now() + ${delay}::int * interval '1 millisecond', updated_at = now()
         WHERE id = ${row.id}::uuid AND attempts = ${row.attempts}::int AND status IN ('PENDING', 'RETRYING')
        RETURNING id, attempts
      )
      INSERT INTO delivery_attempts (delivery_id, attempt, outcome, error)
      SELECT id, attempts, 'FAILED', ${message} FROM done
      ON CONFLICT (delivery_id, attempt) DO NOTHING`;
    return 'RETRYING';
  }

  async function deliver(row: ClaimedRow): Promise<void> {
    const context = { ...log, deliveryId: row.id, eventId: row.event_id, type: row.type, channel: row.channel, attempt: row.attempts };
    const channel = channels[row.channel];
    try {
      if (!channel) throw new PermanentDeliveryError(`no ${row.channel} channel is configured`);
      const result = await channel.send({
        deliveryId: row.id,
        eventId: row.event_id,
        type: row.type,
        userId: row.user_id,
        recipient: row.recipient,
        content: row.content as ChannelContent,
        attempt: row.attempts,
      });
      await markSent(row, result.providerMessageId ?? null);
      logger.info(context, 'notification sent');
    } catch (error) {
      const outcome = await markFailed(row, error).catch((markError: unknown) => {
        // The lease runs out and the row is retried; nothing is lost.
        logger.error({ ...context, err: markError }, 'could not record a failed delivery attempt');
        return 'UNRECORDED' as const;
      });
      const level = outcome === 'FAILED' ? 'error' : 'warn';
      logger[level]({ ...context, outcome, error: errorText(error) }, outcome === 'FAILED' ? 'notification delivery failed for good' : 'notification delivery failed; will retry');
    }
  }

  async function runOnce(): Promise<number> {
    const rows = await claim();
    // A few sends at once: one slow recipient must not hold up the batch.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next++];
        if (row) await deliver(row);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, rows.length) }, worker));
    return rows.length;
  }

  function wake(): void {
    pendingWake = true;
    wakeUp?.();
  }

  function idle(ms: number): Promise<void> {
    if (pendingWake || stopped) {
      pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      wakeUp = done;
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        pendingWake = false;
        resolve();
      }
    });
  }

  // LISTEN for commits of new deliveries, so they go out without waiting for the next poll.
  let listener: pg.Client | undefined;
  let listenRetry: NodeJS.Timeout | undefined;
  async function listen(): Promise<void> {
    if (!options.databaseUrl || stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on('notification', () => wake());
    client.on('error', (error: unknown) => {
      logger.warn({ ...log, err: error }, 'dispatcher LISTEN connection lost; polling until it is back');
      if (listener === client) listener = undefined;
      client.end().catch(() => undefined);
      if (!stopped) listenRetry = setTimeout(() => void listen(), 5_000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DELIVERIES_NOTIFY_CHANNEL}`);
      if (stopped) {
        await client.end();
        return;
      }
      listener = client;
    } catch (error) {
      logger.warn({ ...log, err: error }, 'dispatcher could not LISTEN; polling only');
      await client.end().catch(() => undefined);
      if (!stopped) listenRetry = setTimeout(() => void listen(), 5_000);
    }
  }

  let loop: Promise<void> = Promise.resolve();
  if (options.loop ?? true) {
    void listen();
    loop = (async () => {
      let failures = 0;
      while (!stopped) {
        try {
          const attempted = await runOnce();
          failures = 0;
          if (attempted >= settings.batchSize) continue; // more may be due right now
          await idle(settings.pollIntervalMs);
        } catch (error) {
          failures++;
          const delay = backoffDelay(failures, { initialMs: settings.pollIntervalMs, maxMs: 30_000 });
          logger.error({ ...log, err: error, retryInMs: delay }, 'dispatcher round failed');
          await idle(delay);
        }
      }
    })();
  }

  let stopping: Promise<void> | undefined;
  return {
    runOnce,
    wake,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        wakeUp?.();
        clearTimeout(listenRetry);
        await loop;
        await listener?.end().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
