/**
 * The `cluster` jest project: builds dist/ (the failover test spawns the built app) and starts
 * one Redis Cluster shared by the project's suites; test/cluster/env.ts points each test file
 * at it through TEST_REDIS_CLUSTER_NODES.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import buildDist from '../faults/global-setup';
import { startRedisCluster } from '../support/redis-cluster';
import { startDeferredDrops } from '../support/deferred-drops';

export default async function globalSetup() {
  await startDeferredDrops();
  await buildDist();
  const state = await startRedisCluster();
  const file = join(tmpdir(), `bc-rcluster-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(state));
  process.env.BC_TEST_REDIS_CLUSTER_STATE = file;
}
