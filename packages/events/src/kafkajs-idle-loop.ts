/**
 * kafkajs 2.2.4, its last release, keeps every broker connection's request
 * queue in a 1 ms timer loop while the connection is idle.
 * `scheduleCheckPendingRequests` reschedules itself with a negative delay
 * whenever nothing is pending and nothing is throttled. See tulios/kafkajs#1556
 * and #1704; the fix in #1667 was never merged.
 *
 * Every producer, consumer and admin connection then wakes its process about
 * a thousand times a second for nothing. In bench:checkout, a subgraph with
 * no traffic at all (users) spent 3% of a core on it: 1,400 epoll wake-ups a
 * second and almost no reads.
 *
 * This replaces that one method with the fix from #1667. It schedules a check
 * only when a request is waiting, or while a broker throttle runs out. A new
 * request and every response already run the check themselves. The patch is
 * applied only to the version it was written for; `kafkajsIdleLoopPatched`
 * tells whether it was (a test asserts it, so an upgrade is noticed).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PATCHED_VERSION = '2.2.4';
/** kafkajs' own retry interval for a queue held back by its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The fields of kafkajs' RequestQueue that the method reads. */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  // Nothing waits and no throttle runs out: nothing to check until the next
  // request or response, which check by themselves.
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

function patch(): boolean {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return true;
}

/** True when kafkajs' request queue runs without the idle timer loop. */
export const kafkajsIdleLoopPatched: boolean = patch();
