import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

/**
 * One shared ioredis client for caches and rate limits. Keys are namespaced by
 * REDIS_PREFIX so tests (and several deployments) can share one Redis.
 */
export function createRedis(url: string, prefix: string): Redis {
  return new Redis(url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // Commands issued in the same tick (a request's rate limits and standing check, and
    // those of concurrent requests) go out in one write: fewer syscalls on the hot path.
    enableAutoPipelining: true,
  });
}
