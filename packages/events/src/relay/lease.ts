/**
 * Lease: the relay's PostgreSQL session and, through it, the leadership of
 * its database (a session-level advisory lock; one active relay per
 * database). The session that holds the lock is also the one that LISTENs
 * and runs every relay query: losing it loses the lock, and every later
 * query fails, so a relay can never act as leader without it.
 */
import pg from 'pg';
import { errorInfo } from '../logger.js';
import { OUTBOX_NOTIFY_CHANNEL } from '../outbox.js';
import { RELAY_SESSION_OPTIONS } from './batch-reader.js';
import type { RelayScope } from './types.js';
import type { Wakeup } from './wakeup.js';

/** Advisory-lock namespace for relay leadership (first key of pg_try_advisory_lock(int, int)). */
export const OUTBOX_RELAY_LOCK_CLASS = 0x0b0e_0002;

export interface LeaseOptions {
  databaseUrl: string;
  /** Distinguishes this process's sessions in pg_stat_activity. */
  instanceId: string;
  /** Given, or resolved from current_database() on the first connection. */
  relayId: string | undefined;
  /** Woken by NOTIFY and by a lost connection. */
  wakeup: Wakeup;
  /** True once stop() was called: a lost connection is expected then. */
  stopped: () => boolean;
}

/** What trying to lead gave: newly the leader, still the leader, or another relay leads. */
export type LeaseOutcome = 'acquired' | 'held' | 'standby';

export class RelayLease {
  #client: pg.Client | undefined;
  #broken = false;
  #leader = false;
  #relayId: string | undefined;

  constructor(
    readonly scope: RelayScope,
    readonly options: LeaseOptions,
  ) {
    this.#relayId = options.relayId;
  }

  /** The relay's Kafka identity (transactional.id and marker group); known once connected. */
  get relayId(): string | undefined {
    return this.#relayId;
  }

  /** The session reported an error or ended; it is replaced at the next session(). */
  get broken(): boolean {
    return this.#broken;
  }

  /** The session, (re)connected if it was lost. */
  async session(): Promise<pg.Client> {
    if (this.#client && this.#broken) await this.drop();
    this.#client ??= await this.#connect();
    return this.#client;
  }

  /** Takes the advisory lock if this relay does not hold it yet. */
  async acquire(db: pg.Client): Promise<LeaseOutcome> {
    if (this.#leader) return 'held';
    // Keyed per database, not per domain: one database has one outbox, and
    // two relays on it (even if misconfigured with different domains) must
    // never both publish.
    const result = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2::text)) AS locked', [
      OUTBOX_RELAY_LOCK_CLASS,
      'outbox_events',
    ]);
    if (!result.rows[0]?.locked) return 'standby';
    this.#leader = true;
    this.scope.logger.info({ ...this.scope.log, relayId: this.#relayId }, 'outbox relay is the leader for this database');
    return 'acquired';
  }

  /** Closes the session, which releases the advisory lock, so a standby can take over. */
  async drop(): Promise<void> {
    const old = this.#client;
    this.#client = undefined;
    if (this.#leader) this.scope.logger.info({ ...this.scope.log, relayId: this.#relayId }, 'outbox relay gave up leadership');
    this.#leader = false;
    await old?.end().catch(() => undefined);
  }

  async #connect(): Promise<pg.Client> {
    const { logger, log, domain } = this.scope;
    const { databaseUrl, instanceId, wakeup, stopped } = this.options;
    const next = new pg.Client({
      connectionString: databaseUrl,
      application_name: `outbox-relay:${domain}:${instanceId}`,
      options: RELAY_SESSION_OPTIONS,
      keepAlive: true,
      query_timeout: 60_000,
    });
    next.on('error', (error) => {
      // Emitted for connection loss while idle; the next query fails too.
      if (!stopped()) logger.warn({ ...log, err: errorInfo(error) }, 'outbox relay lost its database connection');
      this.#broken = true;
      wakeup.notify();
    });
    next.on('end', () => {
      this.#broken = true;
    });
    next.on('notification', (message) => {
      if (message.channel === OUTBOX_NOTIFY_CHANNEL) wakeup.notify();
    });
    this.#broken = false;
    await next.connect();
    await next.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    if (!this.#relayId) {
      const result = await next.query<{ db: string }>('SELECT current_database() AS db');
      this.#relayId = `outbox-relay.${domain}.${result.rows[0]?.db ?? 'unknown'}`;
    }
    return next;
  }
}
