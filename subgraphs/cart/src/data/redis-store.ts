/**
 * The primary cart store: Redis, one hash per cart (`v` = version, `d` = the
 * JSON document) under `<prefix><cartId>`, plus `<prefix>user:<userId>` →
 * cartId for signed-in users' carts. Every write sets the key's TTL afresh
 * (24 h anonymous, 7 days for a user's cart), so a cart lives that long after
 * its last change.
 *
 * Writes are version-checked in one Lua script, so they can never go
 * backwards:
 *  - `cas` (anonymous carts): only when the stored version is still the one
 *    the change was based on (optimistic concurrency; the caller retries);
 *  - `newer` (users' carts, written while the PostgreSQL row lock is held):
 *    unless the stored version is already higher;
 *  - `fill` (a read that missed Redis and reloaded from PostgreSQL): only when
 *    nothing newer or equal is stored, so a slow reader never overwrites a
 *    writer.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ttlOf, type CartDoc } from './cart-document.js';

export type PutMode = { mode: 'cas'; expectedVersion: number } | { mode: 'newer' } | { mode: 'fill'; ttlMs: number };
/** `conflict`: the stored version did not allow the write; `gone`: a cas write found no cart. */
export type PutResult = 'ok' | 'conflict' | 'gone';

const PUT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'v')
local mode = ARGV[1]
local version = tonumber(ARGV[2])
if mode == 'cas' then
  local expected = tonumber(ARGV[5])
  if current == false then
    if expected ~= 0 then return -1 end
  elseif tonumber(current) ~= expected then
    return 0
  end
elseif mode == 'newer' then
  if current ~= false and tonumber(current) > version then return 0 end
else
  if current ~= false and tonumber(current) >= version then return 0 end
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if #KEYS > 1 then redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[4]) end
return 1
`;

/** Deletes the cart, and the user index only while it still points at this cart. */
const DELETE_SCRIPT = `
redis.call('DEL', KEYS[1])
if #KEYS > 1 and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** A Lua script and its SHA-1, so it can be run by EVALSHA. */
interface LuaScript {
  source: string;
  sha: string;
}

const luaScript = (source: string): LuaScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

const PUT = luaScript(PUT_SCRIPT);
const DELETE = luaScript(DELETE_SCRIPT);

/** Glob metacharacters in a prefix must match literally in SCAN MATCH. */
const escapeGlob = (value: string): string => value.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export class CartStore {
  /**
   * @param redis an ioredis client (owned by the caller)
   * @param prefix every key starts with it; default `cart:`. Tests use a
   *   per-run prefix so they can flush their own keys and nobody else's.
   */
  constructor(
    readonly redis: Redis,
    readonly prefix = 'cart:',
  ) {}

  cartKey(cartId: string): string {
    return `${this.prefix}${cartId}`;
  }

  userKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  async get(cartId: string): Promise<CartDoc | null> {
    const raw = await this.redis.hget(this.cartKey(cartId), 'd');
    return raw ? (JSON.parse(raw) as CartDoc) : null;
  }

  /** One round trip for many carts; missing ones are null. */
  async getMany(cartIds: readonly string[]): Promise<(CartDoc | null)[]> {
    if (cartIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of cartIds) pipeline.hget(this.cartKey(id), 'd');
    const results = (await pipeline.exec()) ?? [];
    return cartIds.map((_, index) => {
      const [error, raw] = results[index] ?? [null, null];
      if (error) throw error;
      return typeof raw === 'string' ? (JSON.parse(raw) as CartDoc) : null;
    });
  }

  /** The cart ids of users' carts, from the user index; null where Redis has none. */
  async userCartIds(userIds: readonly string[]): Promise<(string | null)[]> {
    if (userIds.length === 0) return [];
    return this.redis.mget(...userIds.map((id) => this.userKey(id)));
  }

  /** Writes the cart with its TTL (and the user index for a user's cart), version-checked as `how` says. */
  async put(cart: CartDoc, how: PutMode): Promise<PutResult> {
    const ttlMs = how.mode === 'fill' ? how.ttlMs : ttlOf(cart);
    if (ttlMs <= 0) return 'conflict';
    const keys = cart.userId ? [this.cartKey(cart.id), this.userKey(cart.userId)] : [this.cartKey(cart.id)];
    const expected = how.mode === 'cas' ? how.expectedVersion : 0;
    const result = await this.#run(
      PUT,
      keys,
      how.mode,
      String(cart.version),
      JSON.stringify(cart),
      String(Math.ceil(ttlMs)),
      String(expected),
      cart.id,
    );
    return result === 1 ? 'ok' : result === -1 ? 'gone' : 'conflict';
  }

  async delete(cart: Pick<CartDoc, 'id' | 'userId'>): Promise<void> {
    const keys = cart.userId ? [this.cartKey(cart.id), this.userKey(cart.userId)] : [this.cartKey(cart.id)];
    await this.#run(DELETE, keys, cart.id);
  }

  /**
   * Runs a script by its SHA-1: one round trip that does not carry the
   * script's text. Only when Redis does not have it cached (after a restart
   * or SCRIPT FLUSH) does EVAL send the text, which caches it again.
   */
  async #run(script: LuaScript, keys: readonly string[], ...args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  /** Milliseconds the cart's key has left (-2: no key, -1: no TTL). */
  async ttlMs(cartId: string): Promise<number> {
    return this.redis.pttl(this.cartKey(cartId));
  }

  /**
   * Deletes every key under this store's prefix, and only those: FLUSHDB for
   * one tenant of a shared Redis. Returns how many keys went.
   */
  async flushPrefix(): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await this.redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }
}
