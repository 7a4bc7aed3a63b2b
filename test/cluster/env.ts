/** setupFiles of the `cluster` project: every app a test boots uses the project's Redis Cluster. */
import { readFileSync } from 'node:fs';

const file = process.env.BC_TEST_REDIS_CLUSTER_STATE;
if (!file) throw new Error('the cluster project runs with its globalSetup (BC_TEST_REDIS_CLUSTER_STATE unset)');
process.env.TEST_REDIS_CLUSTER_NODES = JSON.parse(readFileSync(file, 'utf8')).nodes;
