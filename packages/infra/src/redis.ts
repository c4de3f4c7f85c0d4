/**
 * Redis: reuse whatever answers at REDIS_URL; if nothing does and the URL is
 * local, start a throwaway in-memory redis-server (no persistence: it only
 * holds caches, rate limits and pub/sub).
 */
import { redisUrl } from '@commerce/config';
import { Redis } from 'ioredis';
import { errorCode, errorMessage, isLocalHost, log, run, tail, waitUntil, type RunResult, type ServiceOutcome } from './util.js';

function displayUrl(): string {
  const url = new URL(redisUrl());
  url.password = '';
  return url.toString();
}

/** One PING with a fresh connection that neither retries nor queues, so a dead server fails fast. */
export async function pingRedis(): Promise<boolean> {
  const client = new Redis(redisUrl(), {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // Reported through connect()/ping() rejections; without a listener ioredis prints them.
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function ensureRedis(): Promise<ServiceOutcome> {
  if (await pingRedis()) {
    log(`redis: reused ${displayUrl()}`);
    return 'reused';
  }
  const url = new URL(redisUrl());
  if (!isLocalHost(url.hostname)) throw new Error(`Redis at ${displayUrl()} does not answer PING and is not local, so it cannot be started here.`);
  const port = url.port || '6379';
  log(`redis: not running, starting redis-server on 127.0.0.1:${port}`);
  let result: RunResult;
  try {
    result = await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', port, '--save', '', '--appendonly', 'no']);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new Error('Redis is not running and `redis-server` is not installed (apt-get install redis-server).');
    throw new Error(`Could not start redis-server: ${errorMessage(error)}`);
  }
  if (result.code !== 0) throw new Error(`redis-server failed to start:\n${tail(result.output)}`);
  if (!(await waitUntil(pingRedis, 10_000, 100))) {
    throw new Error(`redis-server was started but ${displayUrl()} does not answer PING (password in REDIS_URL? the started server has none).`);
  }
  log(`redis: started ${displayUrl()}`);
  return 'started';
}
