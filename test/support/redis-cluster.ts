/**
 * A private Redis Cluster (3 masters + 3 replicas on 127.0.0.1) started by test/redis-cluster.sh,
 * for the `cluster` jest project and for tests that kill a node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster } from 'ioredis';

const SCRIPT = resolve(__dirname, '..', 'redis-cluster.sh');

export interface RedisClusterState {
  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  ports: number[];
  dir: string;
}

/** True when redis-server and redis-cli (7+: sharded pub/sub) can be started here. */
export function canStartRedisCluster(): boolean {
  const res = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const m = /v=(\d+)\./.exec(res.stdout ?? '');
  return res.status === 0 && !!m && Number(m[1]) >= 7 && spawnSync('redis-cli', ['--version']).status === 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = net.createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/** Six consecutive free ports whose cluster-bus ports (+10000) are free too. */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 25000);
    const ports = [0, 1, 2, 3, 4, 5].flatMap((i) => [base + i, base + i + 10000]);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for a Redis Cluster');
}

export async function startRedisCluster(): Promise<RedisClusterState> {
  const dir = mkdtempSync(join(tmpdir(), 'bc-rcluster-'));
  for (let attempt = 0; ; attempt++) {
    const base = await freeBase();
    try {
      const nodes = execFileSync(SCRIPT, ['start', String(base), dir], { encoding: 'utf8', timeout: 60_000 }).trim();
      return { nodes, ports: [0, 1, 2, 3, 4, 5].map((i) => base + i), dir };
    } catch (err) {
      spawnSync(SCRIPT, ['stop', dir]);
      if (attempt >= 2) throw err;
    }
  }
}

export function stopRedisCluster(state: Pick<RedisClusterState, 'dir'>): void {
  spawnSync(SCRIPT, ['stop', state.dir]);
}

export function nodePid(state: RedisClusterState, port: number): number {
  return Number(readFileSync(join(state.dir, `${port}.pid`), 'utf8').trim());
}

export function clusterNodes(nodes: string): Array<{ host: string; port: number }> {
  return nodes.split(',').map((n) => {
    const [host, port] = n.split(':');
    return { host, port: Number(port) };
  });
}

/** Deletes a key prefix on every master (SCAN is per node on a cluster). */
export async function clearClusterPrefix(nodes: string, prefix: string): Promise<void> {
  const c = new Cluster(clusterNodes(nodes), { redisOptions: { maxRetriesPerRequest: 1 }, clusterRetryStrategy: () => null });
  try {
    for (const node of c.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
        cursor = next;
        // One DEL per key: keys of one call may hash to different slots.
        await Promise.all(keys.map((k) => node.del(k).catch(() => undefined)));
      } while (cursor !== '0');
    }
  } catch {
    // a cluster that is already gone: nothing to clear
  } finally {
    c.disconnect();
  }
}
