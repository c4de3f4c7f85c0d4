/**
 * The crash window of an idempotent consumer, on cue, for the fault suite
 * (e2e/test/fault-injection.test.ts): with FAULT_CRASH_AFTER_COMMIT=<event
 * type>, the process SIGKILLs itself right after COMMITting a transaction that
 * handled an event of that type, before the offset reaches Kafka (offsets are
 * committed on an interval). The side effect is in the database and the event
 * is redelivered: processed_events must turn the redelivery into a no-op.
 * A real subgraph process needs no test code for this; the restarted process
 * runs without the variable. Refused in production.
 */
import { appEnv, readEnv } from '@commerce/config';
import type { EventEnvelope } from '../define.js';

/** Called once a transaction that handled these events has committed. */
export type OnCommitted = (handled: readonly EventEnvelope[]) => void;

export function crashAfterCommitFailpoint(): OnCommitted | undefined {
  const type = readEnv('FAULT_CRASH_AFTER_COMMIT');
  if (type === undefined) return undefined;
  if (appEnv() === 'production') throw new Error('FAULT_CRASH_AFTER_COMMIT is a test fault; refused with APP_ENV=production');
  return (handled) => {
    if (handled.some((envelope) => envelope.type === type)) process.kill(process.pid, 'SIGKILL');
  };
}
