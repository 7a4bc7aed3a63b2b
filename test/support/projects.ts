/**
 * The `cluster` jest project (jest.config.js) runs realtime, limits and workers a second time
 * on a Redis Cluster. There only the blocks whose subject is Redis across processes run
 * (cross-process pushes, shared limits, BullMQ jobs and locks); a block that tests something
 * else (validation, SQL, heuristics) is declared with `singleRedis.describe` / `singleRedis.it`
 * and runs once, in the `e2e` project, instead of twice.
 */
export const ON_REDIS_CLUSTER = Boolean(process.env.TEST_REDIS_CLUSTER_NODES);

const notHere = (() => undefined) as unknown;

export const singleRedis = {
  describe: (ON_REDIS_CLUSTER ? notHere : describe) as jest.Describe,
  it: (ON_REDIS_CLUSTER ? notHere : it) as jest.It,
};
