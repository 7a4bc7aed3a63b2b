import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from './config';

export const REDIS = Symbol('REDIS');

/** A single Redis or a Redis Cluster client: the commands this app uses are the same on both. */
export type RedisClient = Redis | Cluster;

export type RedisTarget = Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>;

export interface RedisClientOptions extends Pick<
  RedisOptions,
  'maxRetriesPerRequest' | 'enableOfflineQueue' | 'lazyConnect' | 'connectionName'
> {
  keyPrefix?: string;
  enableAutoPipelining?: boolean;
  /** Cluster only: receive sharded pub/sub (SSUBSCRIBE) messages from every shard. */
  shardedSubscribers?: boolean;
}

/**
 * Cluster client settings: after a master dies its replica takes over within a few
 * cluster-node-timeouts; until then commands to its slots fail with "connection closed" or
 * CLUSTERDOWN. They are retried every 200 ms, up to 40 times (~8 s), and the slot map is
 * re-read on every MOVED, so callers see a slow command rather than an error.
 */
const CLUSTER_DEFAULTS: ClusterOptions = {
  retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200,
  retryDelayOnTryAgain: 200,
  maxRedirections: 40,
  slotsRefreshTimeout: 2000,
  slotsRefreshInterval: 5000,
};

/**
 * The one place that opens Redis connections: REDIS_CLUSTER_NODES set → an ioredis Cluster
 * on those seed nodes, otherwise a single Redis at REDIS_URL (as before).
 */
export function redisClient(target: RedisTarget, opts: RedisClientOptions = {}): RedisClient {
  const { keyPrefix, enableAutoPipelining, shardedSubscribers, ...connection } = opts;
  if (target.redisClusterNodes) {
    return new Cluster(target.redisClusterNodes, {
      ...CLUSTER_DEFAULTS,
      ...(keyPrefix ? { keyPrefix } : {}),
      enableAutoPipelining: !!enableAutoPipelining,
      shardedSubscribers: !!shardedSubscribers,
      enableOfflineQueue: connection.enableOfflineQueue ?? true,
      lazyConnect: connection.lazyConnect ?? false,
      redisOptions: { maxRetriesPerRequest: connection.maxRetriesPerRequest, connectionName: connection.connectionName },
    });
  }
  return new Redis(target.redisUrl, { ...connection, ...(keyPrefix ? { keyPrefix } : {}), enableAutoPipelining: !!enableAutoPipelining });
}

export const isCluster = (client: RedisClient): client is Cluster => (client as Cluster).isCluster === true;

/**
 * One shared ioredis client for caches and rate limits. Keys are namespaced by
 * REDIS_PREFIX so tests (and several deployments) can share one Redis. Every key it
 * touches is a single key per command or script, so on a cluster each lands on its own slot
 * (the send budget's script has two keys with one hash tag: one slot, limits/send-budget.ts).
 */
export function createRedis(config: RedisTarget & Pick<AppConfig, 'redisPrefix'>): RedisClient {
  return redisClient(config, {
    keyPrefix: config.redisPrefix,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // Commands issued in the same tick (a request's rate limits and standing check, and
    // those of concurrent requests) go out in one write: fewer syscalls on the hot path.
    // On a cluster ioredis groups them per node.
    enableAutoPipelining: true,
  });
}
