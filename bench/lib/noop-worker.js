'use strict';
/**
 * The reference for link-scan throughput: a BullMQ worker that does nothing per job, in its
 * own process, on the same Redis and prefix, with the link-scan processor's concurrency.
 * Whatever it reaches is BullMQ's own ceiling on this machine.
 */
const { Worker } = require('bullmq');
const IORedis = require('ioredis');

const connection = new IORedis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = new Worker(process.env.QUEUE, async () => undefined, {
  connection,
  prefix: process.env.BULL_PREFIX,
  concurrency: Number(process.env.CONCURRENCY || 8),
});
worker.waitUntilReady().then(() => process.stdout.write('noop worker ready\n'));
process.on('SIGTERM', async () => {
  await worker.close();
  connection.disconnect();
  process.exit(0);
});
