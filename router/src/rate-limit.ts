/**
 * Cost budgets per identity and per client IP, in Redis, shared by every
 * router instance: a token bucket per key (capacity, refill per second),
 * spent by each operation's requested cost, in one Lua script so that the
 * check and the spend are atomic across instances, with Redis's own clock
 * (`TIME`) so instances' clocks do not matter.
 *
 * Why a token bucket: it is what Shopify exposes (`maximumAvailable`,
 * `currentlyAvailable`, `restoreRate` in `throttleStatus`), it lets a page's
 * burst of queries through while holding a steady rate, it needs one small
 * hash per key (not a log of requests, as a sliding log does), and it has no
 * window edge where a fixed window lets twice the budget through. The wait
 * until enough has refilled is exact, which gives `Retry-After`.
 *
 * Redis down or slow (> timeoutMs): the request goes through, with a warning
 * at most every 10 s. A throttle is a protection for the shop, not a reason
 * to close it: failing closed would turn a Redis outage into a full outage,
 * while the per-operation limits (cost, depth, fields) still hold without Redis.
 */
import { Redis } from 'ioredis';
import { readIntEnv, readEnv, redisUrl } from '@commerce/config';
import type { Logger } from '@commerce/observability';

export interface Bucket {
  /** Most points held (the largest burst). */
  capacity: number;
  /** Points restored per second. */
  refillPerSecond: number;
}

export interface RateLimitOptions {
  redisUrl: string;
  /** Key prefix (default `router:rl:`). */
  prefix: string;
  /** Budget of a signed-in user (by the verified token's subject). */
  identity: Bucket;
  /** Budget of a client address (everyone, signed in or not). */
  ip: Bucket;
  /** Per Redis call; slower counts as down (fail open). */
  timeoutMs: number;
}

/** ROUTER_RATE_LIMIT (on|off; default on in production, off elsewhere) and its budgets. */
export function rateLimitFromEnv(production: boolean): RateLimitOptions | false {
  const raw = readEnv('ROUTER_RATE_LIMIT');
  if (raw === 'off' || raw === 'false' || (raw === undefined && !production)) return false;
  return rateLimitDefaults();
}

/** The budgets and Redis settings from the environment, whether or not the limiter is on. */
export function rateLimitDefaults(): RateLimitOptions {
  return {
    redisUrl: readEnv('ROUTER_RATE_LIMIT_REDIS_URL') ?? redisUrl(),
    prefix: readEnv('ROUTER_RATE_LIMIT_PREFIX') ?? 'router:rl:',
    identity: { capacity: readIntEnv('ROUTER_RATE_LIMIT_USER_CAPACITY', 10_000), refillPerSecond: readIntEnv('ROUTER_RATE_LIMIT_USER_REFILL', 500) },
    ip: { capacity: readIntEnv('ROUTER_RATE_LIMIT_IP_CAPACITY', 20_000), refillPerSecond: readIntEnv('ROUTER_RATE_LIMIT_IP_REFILL', 1_000) },
    timeoutMs: readIntEnv('ROUTER_RATE_LIMIT_TIMEOUT_MS', 100),
  };
}

export interface SpendResult {
  allowed: boolean;
  /** Seconds until the cost fits (0 when allowed). */
  retryAfterSeconds: number;
  /** The tightest bucket after this request: Shopify's throttleStatus. */
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

// KEYS: buckets. ARGV: cost, then capacity and refill per second per key.
// Returns { allowed (1/0), wait in ms, level of each bucket after (as strings: Lua numbers become integers) }.
const SPEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local b = redis.call('HMGET', KEYS[i], 'v', 't')
  local v = tonumber(b[1])
  local ts = tonumber(b[2])
  if v == nil or ts == nil then v = cap; ts = now end
  v = math.min(cap, v + math.max(0, now - ts) * rate / 1000)
  levels[i] = v
  local need = math.min(cost, cap)
  if v < need then
    local w = math.ceil((need - v) * 1000 / rate)
    if w > wait then wait = w end
  end
end
local allowed = 0
if wait == 0 then allowed = 1 end
local result = { allowed, wait }
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local v = levels[i]
  if allowed == 1 then v = v - cost end
  redis.call('HSET', KEYS[i], 'v', tostring(v), 't', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(cap * 1000 / rate) + 1000)
  result[#result + 1] = tostring(v)
end
return result
`;

export class RateLimiter {
  readonly redis: Redis;
  private lastWarnAt = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly logger: Logger,
  ) {
    this.redis = new Redis(options.redisUrl, {
      // Fail fast instead of queueing: a request must not wait for a Redis that is not there.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    this.redis.on('error', (error: Error) => this.warn(error));
  }

  get buckets(): { identity: Bucket; ip: Bucket } {
    return { identity: this.options.identity, ip: this.options.ip };
  }

  /** Spends `cost` from the user's bucket (when signed in) and the address's, both or neither. undefined: Redis unavailable, let it through. */
  async spend(who: { userId: string | undefined; ip: string | undefined }, cost: number): Promise<SpendResult | undefined> {
    const keys: string[] = [];
    const buckets: Bucket[] = [];
    if (who.userId) {
      keys.push(`${this.options.prefix}u:${who.userId}`);
      buckets.push(this.options.identity);
    }
    if (who.ip) {
      keys.push(`${this.options.prefix}ip:${who.ip}`);
      buckets.push(this.options.ip);
    }
    if (keys.length === 0) return undefined;
    if (this.redis.status !== 'ready') {
      this.warn(new Error(`Redis ${this.redis.status}`));
      return undefined;
    }
    let reply: unknown;
    try {
      const args = [String(cost), ...buckets.flatMap((bucket) => [String(bucket.capacity), String(bucket.refillPerSecond)])];
      reply = await this.redis.eval(SPEND, keys.length, ...keys, ...args);
    } catch (error) {
      this.warn(error);
      return undefined;
    }
    const [allowed, wait, ...levels] = reply as [number, number, ...string[]];
    // Report the bucket with the least left relative to its size: the one that throttles first.
    let tightest = 0;
    for (let i = 1; i < buckets.length; i += 1) {
      const bucket = buckets[i] as Bucket;
      const best = buckets[tightest] as Bucket;
      if (Number(levels[i]) / bucket.capacity < Number(levels[tightest]) / best.capacity) tightest = i;
    }
    const bucket = buckets[tightest] as Bucket;
    return {
      allowed: allowed === 1,
      retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(wait / 1000)),
      throttleStatus: {
        maximumAvailable: bucket.capacity,
        currentlyAvailable: Math.max(0, Math.floor(Number(levels[tightest]))),
        restoreRate: bucket.refillPerSecond,
      },
    };
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.logger.warn({ err: error }, 'rate limit: Redis unavailable, requests are let through unthrottled');
  }
}
