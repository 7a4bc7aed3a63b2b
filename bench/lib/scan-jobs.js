'use strict';
/**
 * The scan side of a phase in jobs: every link-scan job of the app that completes (or fails)
 * while a phase runs and its backlog drains, read from the queue's BullMQ event stream from
 * the moment the phase starts (a Redis TIME stream id, so nothing is missed while the reader
 * connects). A send's scan job is `scan-message-<id>` (one message) or, grouped by the outbox
 * relay, `scan-messages-<sha1>` (up to SCAN_BATCH messages); the processor returns the
 * outcome of its message, or a count of messages by outcome, so a job's return value says how
 * many messages it carried: a batch job is not a no-op job. Other link-scan jobs (rescans,
 * sweeps) are counted apart.
 */
const IORedis = require('ioredis');
const { QueueEvents } = require('bullmq');
const { performance } = require('node:perf_hooks');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts counting; `stop()` waits until no event came for `quietMs` (bounded) and returns the counts. */
async function countScanJobs(redisUrl, bullPrefix) {
  const probe = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  const [sec, usec] = await probe.time();
  probe.disconnect();
  const u = new URL(redisUrl);
  const connection = {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname && u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
  const events = new QueueEvents('link-scan', {
    connection,
    prefix: bullPrefix,
    lastEventId: `${Number(sec) * 1000 + Math.floor(Number(usec) / 1000)}-0`,
    blockingTimeout: 1000,
  });
  const c = {
    jobs: 0,
    backlogJobs: 0,
    batchJobs: 0,
    singleJobs: 0,
    otherJobs: 0,
    messages: 0,
    failed: 0,
    outcomes: {},
    last: performance.now(),
  };
  events.on('error', () => undefined);
  events.on('completed', ({ jobId, returnvalue }) => {
    c.last = performance.now();
    const id = String(jobId);
    if (id.startsWith('scan-backlog-')) {
      // An API-only process's wake: the worker scanned the backlog, returning how many sends' rows it took.
      c.backlogJobs++;
      c.messages += Number(returnvalue) || 0;
    } else if (id.startsWith('scan-messages-')) {
      c.batchJobs++;
      for (const [outcome, n] of Object.entries(returnvalue || {})) {
        c.messages += Number(n) || 0;
        c.outcomes[outcome] = (c.outcomes[outcome] || 0) + (Number(n) || 0);
      }
    } else if (id.startsWith('scan-message-')) {
      c.singleJobs++;
      c.messages++;
      c.outcomes[returnvalue] = (c.outcomes[returnvalue] || 0) + 1;
    } else {
      c.otherJobs++;
      return;
    }
    c.jobs++;
  });
  events.on('failed', ({ jobId }) => {
    c.last = performance.now();
    if (/^scan-(message|backlog)/.test(String(jobId))) c.failed++;
  });
  await events.waitUntilReady();
  return {
    async stop({ quietMs = 300, boundMs = 3000 } = {}) {
      const t0 = performance.now();
      while (performance.now() - c.last < quietMs && performance.now() - t0 < boundMs) await sleep(50);
      await events.close().catch(() => undefined);
      const { last, ...out } = c;
      return out;
    },
  };
}

module.exports = { countScanJobs };
