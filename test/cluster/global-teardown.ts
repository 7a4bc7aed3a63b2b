import { readFileSync, rmSync } from 'node:fs';
import { stopRedisCluster } from '../support/redis-cluster';
import { finishDeferredDrops } from '../support/deferred-drops';

export default async function globalTeardown() {
  await finishDeferredDrops();
  const file = process.env.BC_TEST_REDIS_CLUSTER_STATE;
  if (!file) return;
  stopRedisCluster(JSON.parse(readFileSync(file, 'utf8')));
  rmSync(file, { force: true });
}
