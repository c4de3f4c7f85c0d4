/**
 * Flush: waits until every row committed before the call is published, by
 * this relay or whichever instance leads. Its checks run on their own
 * connection: they must work on a standby too.
 */
import { sleep } from '../backoff.js';
import pg from 'pg';
import { RELAY_SESSION_OPTIONS } from './batch-reader.js';
import type { Wakeup } from './wakeup.js';

export interface FlusherOptions {
  databaseUrl: string;
  domain: string;
  /** Nudged on every check, so the leader (if it is us) polls at once. */
  wakeup: Wakeup;
  stopped: () => boolean;
}

export class Flusher {
  #client: pg.Client | undefined;

  constructor(readonly options: FlusherOptions) {}

  async flush({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const { wakeup, stopped } = this.options;
    if (stopped()) throw new Error('outbox relay is stopped');
    const deadline = Date.now() + timeoutMs;
    const db = await this.#connection();
    const max = await db.query<{ max: string | null }>('SELECT max(position)::text AS max FROM outbox_events');
    const target = max.rows[0]?.max;
    if (!target) return;
    for (;;) {
      wakeup.notify();
      const pending = await db.query<{ pending: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM outbox_events WHERE published_at IS NULL AND position <= $1::bigint) AS pending',
        [target],
      );
      if (!pending.rows[0]?.pending) return;
      if (stopped()) throw new Error('outbox relay stopped before the flush completed');
      if (Date.now() > deadline) throw new Error(`outbox relay flush timed out after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  async close(): Promise<void> {
    await this.#client?.end().catch(() => undefined);
  }

  async #connection(): Promise<pg.Client> {
    if (!this.#client) {
      const next = new pg.Client({ connectionString: this.options.databaseUrl, application_name: `outbox-relay-flush:${this.options.domain}`, options: RELAY_SESSION_OPTIONS });
      next.on('error', () => {
        if (this.#client === next) this.#client = undefined;
      });
      await next.connect();
      this.#client = next;
    }
    return this.#client;
  }
}
