import { ConfigError, loadConfig } from './config';

describe('REDIS_CLUSTER_NODES and DATABASE_REPLICA_URL', () => {
  it('are off by default: a single Redis at REDIS_URL, every read on DATABASE_URL', () => {
    const c = loadConfig({});
    expect(c.redisClusterNodes).toBeNull();
    expect(c.databaseReplicaUrl).toBeNull();
  });

  it('parse seed nodes (IPv6 in brackets) and a replica URL', () => {
    const c = loadConfig({
      REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-2:7001,[::1]:7002',
      DATABASE_REPLICA_URL: 'postgres://ro@replica:5432/bc',
    });
    expect(c.redisClusterNodes).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(c.databaseReplicaUrl).toBe('postgres://ro@replica:5432/bc');
  });

  it('refuse malformed values with one line naming the variable', () => {
    for (const bad of ['127.0.0.1', 'host:0', 'host:99999', 'a:1,,b:2', 'host:port']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: bad })).toThrow(/^REDIS_CLUSTER_NODES: expected host:port\[,host:port\.\.\.\], got "/);
    }
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'mysql://x/y' })).toThrow(/DATABASE_REPLICA_URL/);
  });
});

describe('PASSWORD_HASH_COST', () => {
  it('is production unless set, and test is refused outside NODE_ENV=test', () => {
    expect(loadConfig({}).passwordHashCost).toBe('production');
    expect(loadConfig({ NODE_ENV: 'production' }).passwordHashCost).toBe('production');
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: 'test' }).passwordHashCost).toBe('test');
    expect(() => loadConfig({ NODE_ENV: 'production', PASSWORD_HASH_COST: 'test' })).toThrow(/only for the test suite/);
    expect(() => loadConfig({ PASSWORD_HASH_COST: 'test' })).toThrow(/only for the test suite/);
    expect(() => loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: 'cheap' })).toThrow(/expected production or test/);
  });
});

describe('SOCKET_MAX_BUFFERED_BYTES and SOCKET_MAX_BUFFERED_MESSAGES', () => {
  it('default to 1 MiB and 1,000 packets per socket', () => {
    const c = loadConfig({});
    expect(c.socketMaxBufferedBytes).toBe(1024 * 1024);
    expect(c.socketMaxBufferedMessages).toBe(1000);
  });

  it('refuse a byte bound below 64 KiB (one event could pass it alone) and a packet bound below 10', () => {
    expect(loadConfig({ SOCKET_MAX_BUFFERED_BYTES: '65536', SOCKET_MAX_BUFFERED_MESSAGES: '10' })).toMatchObject({
      socketMaxBufferedBytes: 65536,
      socketMaxBufferedMessages: 10,
    });
    expect(() => loadConfig({ SOCKET_MAX_BUFFERED_BYTES: '65535' })).toThrow(/^SOCKET_MAX_BUFFERED_BYTES: must be between 65536 and/);
    expect(() => loadConfig({ SOCKET_MAX_BUFFERED_MESSAGES: '9' })).toThrow(/^SOCKET_MAX_BUFFERED_MESSAGES: must be between 10 and/);
    expect(() => loadConfig({ SOCKET_MAX_BUFFERED_BYTES: '1MB' })).toThrow(/^SOCKET_MAX_BUFFERED_BYTES: expected a whole number/);
  });
});

describe('the request-wave settings (issue #30)', () => {
  it('default to the contract: the breaker at 20 requests in 10 minutes for 24 hours; fan-out at 10 conversations in 10 minutes', () => {
    const c = loadConfig({});
    expect(c.pileOn).toEqual({ requests: 20, windowMinutes: 10, limitsHours: 24 });
    expect(c.fanOut).toEqual({ requests: 10, windowMinutes: 10 });
  });

  it('refuse values that cannot work, naming the variable', () => {
    expect(() => loadConfig({ PILE_ON_REQUESTS: '1' })).toThrow(/^PILE_ON_REQUESTS: must be between 2 and/);
    expect(() => loadConfig({ PILE_ON_LIMITS_HOURS: '673' })).toThrow(/^PILE_ON_LIMITS_HOURS: must be between 1 and 672/);
    expect(() => loadConfig({ FANOUT_WINDOW_MINUTES: '0' })).toThrow(/^FANOUT_WINDOW_MINUTES: must be between 1 and/);
    expect(() => loadConfig({ FANOUT_REQUESTS: 'ten' })).toThrow(/^FANOUT_REQUESTS: expected a whole number/);
  });
});
