/**
 * The shared response cache in Redis: entries, their tags, invalidation, and
 * the liveness of the invalidators. One Lua script per operation, so each is
 * one round trip and atomic. Keys (all under the prefix):
 *   e:<key>    an answer (JSON), with the TTL of its cache policy
 *   p:<key>    "this operation, with these variables, is all public" (see plugin.ts)
 *   tk:<tag>   the entry keys a tag names (a sorted set scored by expiry: expired
 *              members are pruned on each write, so it holds live entries only)
 *   ts:<tag>   Redis time of the tag's last invalidation, kept for in-flight requests
 *   st:<variant>  last stock level seen ("1|<changedAt>"), for Product.inStock
 *   alive      set while an invalidator consumes the change events
 *
 * Race: a request that read old data before a change committed may finish
 * after the change's invalidation. Each read returns Redis' clock; a write
 * is refused when any of its tags was invalidated at or after that moment.
 * An invalidation that happened before the read also happened after the
 * change committed (the outbox publishes only committed changes), so the
 * subgraph calls that follow the read see the change.
 *
 * Scripts address keys they build from the prefix: one Redis, not Cluster.
 * Every call fails fast (no offline queue, a command timeout); readers treat
 * a failure as "no cache", the invalidator retries.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '@commerce/observability';
import type { StockLevel } from './events.ts';

const READ = `
local t = redis.call('TIME')
local stamp = t[1] .. string.format('%06d', t[2])
if redis.call('EXISTS', KEYS[3]) == 0 then return {false, 0, stamp, 0} end
return {redis.call('GET', KEYS[1]), redis.call('EXISTS', KEYS[2]), stamp, 1}
`;

// ARGV: value, ttlMs, readStamp, markerTtlMs, prefix, member, tags...
const WRITE = `
local start = tonumber(ARGV[3])
for i = 7, #ARGV do
  local at = redis.call('GET', ARGV[5] .. 'ts:' .. ARGV[i])
  if at and tonumber(at) >= start then return 0 end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 7, #ARGV do
  local set = ARGV[5] .. 'tk:' .. ARGV[i]
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  redis.call('ZADD', set, now + ttl, ARGV[6])
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
return 1
`;

// ARGV: prefix, stampTtlMs, inStockTag, tagCount, tags..., then (variantId, inStock 1|0, changedAt) per stock level
const INVALIDATE = `
local prefix = ARGV[1]
local t = redis.call('TIME')
local stamp = t[1] .. string.format('%06d', t[2])
local count = tonumber(ARGV[4])
local tags = {}
for i = 1, count do tags[i] = ARGV[4 + i] end
local flipped = 0
local i = 5 + count
while i + 2 <= #ARGV do
  local key = prefix .. 'st:' .. ARGV[i]
  local old = redis.call('GET', key)
  if not old then
    flipped = 1
    redis.call('SET', key, ARGV[i + 1] .. '|' .. ARGV[i + 2], 'PX', 86400000)
  elseif ARGV[i + 2] >= string.sub(old, 3) then
    if string.sub(old, 1, 1) ~= ARGV[i + 1] then flipped = 1 end
    redis.call('SET', key, ARGV[i + 1] .. '|' .. ARGV[i + 2], 'PX', 86400000)
  end
  i = i + 3
end
if flipped == 1 then tags[#tags + 1] = ARGV[3] end
local dropped = 0
for _, tag in ipairs(tags) do
  redis.call('SET', prefix .. 'ts:' .. tag, stamp, 'PX', ARGV[2])
  local set = prefix .. 'tk:' .. tag
  for _, member in ipairs(redis.call('ZRANGE', set, 0, -1)) do dropped = dropped + redis.call('DEL', prefix .. 'e:' .. member) end
  redis.call('DEL', set)
end
return {dropped, flipped}
`;

/** EVALSHA, falling back to EVAL once after a Redis restart emptied its script cache. */
class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const scripts = { read: new LuaScript(READ), write: new LuaScript(WRITE), invalidate: new LuaScript(INVALIDATE) };

export interface StoreOptions {
  redisUrl: string;
  /** Key prefix; routers sharing it share the cache (and must share the invalidators' consumer group). */
  prefix: string;
  /** Per command; a slower Redis counts as down for that request. */
  timeoutMs: number;
  logger: Logger;
}

export interface ReadResult {
  /** The entry as stored, or null on a miss. */
  entry: string | null;
  /** The public marker of the key is set. */
  publicMarker: boolean;
  /** Redis time of the read: writes after an invalidation at or past it are refused. */
  stamp: string;
}

export interface WriteRequest {
  key: string;
  value: string;
  ttlMs: number;
  stamp: string;
  tags: readonly string[];
}

/** How long ts:<tag> outlives its invalidation: longer than any request can run. */
const STAMP_TTL_MS = 10 * 60_000;
/** How long "this operation is public" is remembered (it only depends on the schema, which is in the key). */
const MARKER_TTL_MS = 24 * 60 * 60_000;
const PAUSE_AFTER_TIMEOUT_MS = 1_000;

export class ResponseStore {
  readonly redis: Redis;
  private readonly prefix: string;
  private readonly logger: Logger;
  private lastWarnAt = 0;
  /** After a timeout, requests skip Redis for a moment instead of each waiting for it. */
  private pausedUntil = 0;

  constructor(options: StoreOptions) {
    this.prefix = options.prefix;
    this.logger = options.logger;
    this.redis = new Redis(options.redisUrl, {
      // Fail fast instead of queueing: a request must not wait for a Redis that is not there.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: 2_000,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    this.redis.on('error', (error: Error) => this.warn(error, 'response cache: Redis unavailable, serving uncached'));
  }

  /** Connected; when not, callers skip the cache without trying. */
  get available(): boolean {
    return this.redis.status === 'ready' && Date.now() >= this.pausedUntil;
  }

  private key(kind: 'e' | 'p', key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }

  /** undefined: no cache for this request (Redis down or slow, or no invalidator is running). */
  async read(key: string): Promise<ReadResult | undefined> {
    if (!this.available) return undefined;
    try {
      const reply = (await scripts.read.run(this.redis, [this.key('e', key), this.key('p', key), `${this.prefix}alive`], [])) as [
        string | null,
        number,
        string,
        number,
      ];
      if (reply[3] !== 1) return undefined;
      return { entry: reply[0], publicMarker: reply[1] === 1, stamp: reply[2] };
    } catch (error) {
      this.failed(error, 'response cache: read failed, serving uncached');
      return undefined;
    }
  }

  /** Stores an entry unless one of its tags was invalidated since `stamp`; false when refused or failed. */
  async write(request: WriteRequest): Promise<boolean> {
    if (!this.available) return false;
    try {
      const stored = await scripts.write.run(
        this.redis,
        [this.key('e', request.key), this.key('p', request.key)],
        [request.value, request.ttlMs, request.stamp, MARKER_TTL_MS, this.prefix, request.key, ...request.tags],
      );
      return stored === 1;
    } catch (error) {
      this.failed(error, 'response cache: write failed');
      return false;
    }
  }

  /** Remembers that the key's operation is all public, without an answer to share. */
  async markPublic(key: string): Promise<void> {
    if (!this.available) return;
    try {
      await this.redis.set(this.key('p', key), '1', 'PX', MARKER_TTL_MS);
    } catch (error) {
      this.warn(error, 'response cache: write failed');
    }
  }

  /**
   * Drops every entry of the tags (and of `inStockTag` when a stock level
   * flips a variant in or out of stock). Throws when Redis fails: the caller
   * retries, since a lost invalidation would leave a stale answer.
   */
  async invalidate(tags: readonly string[], stockLevels: readonly StockLevel[], inStockTag: string): Promise<{ dropped: number; flipped: boolean }> {
    const levels = stockLevels.flatMap((level) => [level.variantId, level.inStock ? '1' : '0', level.changedAt]);
    const reply = (await scripts.invalidate.run(this.redis, [], [this.prefix, STAMP_TTL_MS, inStockTag, tags.length, ...tags, ...levels])) as [number, number];
    return { dropped: reply[0], flipped: reply[1] === 1 };
  }

  /** Marks an invalidator as consuming; readers use the cache only while one is. */
  async heartbeat(ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}alive`, '1', 'PX', ttlMs);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private failed(error: unknown, message: string): void {
    if (error instanceof Error && /timed out/i.test(error.message)) this.pausedUntil = Date.now() + PAUSE_AFTER_TIMEOUT_MS;
    this.warn(error, message);
  }

  /** One warning per 30 s of trouble, not one per request. */
  private warn(error: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 30_000) return;
    this.lastWarnAt = now;
    this.logger.warn({ err: error }, message);
  }
}
