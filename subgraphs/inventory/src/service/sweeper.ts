/**
 * The reservation sweeper: every `intervalMs` (RESERVATION_SWEEP_INTERVAL_MS,
 * default 5 s) it releases ACTIVE reservations past their expiry, in batches,
 * until none is due (reservation.service.ts `expireDueReservations`). Safe to
 * run in every instance: batches are claimed with SKIP LOCKED.
 */
import type { InventoryServiceContext } from '../context.js';
import { expireDueReservations, type ExpiredReservation } from './reservation.service.js';

export interface SweeperOptions {
  intervalMs: number;
  /** Reservations released per transaction (default 100). */
  batchSize?: number;
}

export interface ReservationSweeper {
  /** Runs one sweep now (tests); resolves with what it released. */
  sweep(): Promise<ExpiredReservation[]>;
  /** Waits for a sweep in progress, then stops. */
  stop(): Promise<void>;
}

export function startReservationSweeper(ctx: InventoryServiceContext, options: SweeperOptions): ReservationSweeper {
  const batchSize = options.batchSize ?? 100;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ExpiredReservation[]> = Promise.resolve([]);

  async function drain(): Promise<ExpiredReservation[]> {
    const released: ExpiredReservation[] = [];
    for (;;) {
      const batch = await expireDueReservations(ctx, batchSize);
      released.push(...batch);
      if (batch.length < batchSize || stopped) return released;
    }
  }

  function sweep(): Promise<ExpiredReservation[]> {
    // One sweep at a time in this process; a call during a sweep runs after it.
    running = running.catch(() => []).then(drain);
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) => ctx.logger.error({ err: error }, 'reservation sweep failed; retrying next interval'))
        .finally(schedule);
    }, options.intervalMs);
    timer.unref();
  }

  schedule();
  return {
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
