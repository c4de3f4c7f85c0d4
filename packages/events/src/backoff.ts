/** Exponential backoff with full jitter, shared by the relay and the consumer. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs?: number;
  /** Upper bound of any single delay. */
  maxMs?: number;
  /** Growth factor per attempt. */
  factor?: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry). Jitter keeps many
 * instances that failed together from retrying in lock step; half of the
 * delay is fixed so the delay still grows predictably.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
