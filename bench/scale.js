#!/usr/bin/env node
'use strict';
/**
 * `node bench/scale.js` (after `npm run build:api`): the same socket workload on four
 * topologies, for docs/SCALING.md. Small and bounded: 16 senders, each in a direct chat whose
 * recipient listens on ANOTHER API process when there are two (so every delivery crosses Redis),
 * SCALE_INFLIGHT sends in flight per sender over the socket, SCALE_SECONDS per topology.
 *
 *   one/single     one process (api,worker), the shared single Redis
 *   split/single   two API processes + one worker process, single Redis
 *   one/cluster    one process on a private 3+3 Redis Cluster (test/redis-cluster.sh)
 *   split/cluster  two APIs + one worker on that cluster
 *
 * Reports sends/s, deliveries, and CPU per message: the app processes, their PostgreSQL
 * backends and (cluster only: the shared Redis serves other tenants) the Redis nodes, from
 * /proc. On a shared, busy machine throughput says little; CPU per message says more.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { AppProcess, PG_BASE, ROOT, createDatabase, cpuSeconds, dropDatabase, freePort, sleep } = require('./lib/product');
const { JsonClient } = require('./lib/http');
const { connect, directPairs } = require('./lib/workload');

const SECONDS = Number(process.env.SCALE_SECONDS || 10);
const INFLIGHT = Number(process.env.SCALE_INFLIGHT || 2);
const SENDERS = 16;
const ONLY = process.env.SCALE_ONLY ? process.env.SCALE_ONLY.split(',') : null;
const log = (...a) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

function startCluster() {
  const dir = mkdtempSync(join(os.tmpdir(), 'bc-bench-rcluster-'));
  const base = 21000 + Math.floor(Math.random() * 20000);
  const nodes = execFileSync(join(ROOT, 'test/redis-cluster.sh'), ['start', String(base), dir], { encoding: 'utf8' }).trim();
  const pids = readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(dir, f), 'utf8')));
  return { nodes, pids, stop: () => spawnSync(join(ROOT, 'test/redis-cluster.sh'), ['stop', dir]) };
}

async function pgBackendPids(admin, db) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
  return rows.map((r) => r.pid);
}

async function run(topology, redis) {
  const db = `bc_scale_${randomBytes(4).toString('hex')}`;
  await createDatabase(db);
  const databaseUrl = `${PG_BASE}/${db}`;
  const cluster = redis === 'cluster' ? startCluster() : null;
  const env = cluster ? { REDIS_CLUSTER_NODES: cluster.nodes } : {};
  const redisPrefix = `sc${randomBytes(3).toString('hex')}:`;
  const logDir = join(os.tmpdir(), 'backchannel-scale', db);
  const procs = [];
  const mk = async (name, roles) =>
    procs.push(new AppProcess({ name, roles, port: await freePort(), databaseUrl, redisPrefix, logDir, env }).start());
  try {
    if (topology === 'one') {
      await mk('app', 'api,worker');
      await procs[0].ready();
    } else {
      await mk('api1', 'api');
      await procs[0].ready(); // migrates
      await mk('api2', 'api');
      await mk('worker', 'worker');
      await Promise.all(procs.slice(1).map((p) => p.ready()));
    }
    const apis = procs.filter((p) => p.roles.includes('api'));
    const http = new JsonClient(apis[0].url);
    const pairs = await directPairs(http, `s${randomBytes(2).toString('hex')}`, SENDERS, 1);
    const senders = await Promise.all(pairs.map((p, i) => connect(apis[i % apis.length].url, p.sender.token)));
    const receivers = await Promise.all(pairs.map((p, i) => connect(apis[(i + 1) % apis.length].url, p.recipients[0].token)));
    let delivered = 0;
    for (const r of receivers) r.on('message.created', () => delivered++);
    const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
    await admin.connect();
    const pgPids = await pgBackendPids(admin, db);
    const redisPids = cluster ? cluster.pids : [];
    const cpu = () => ({
      app: procs.reduce((s, p) => s + cpuSeconds(p.pid), 0),
      pg: pgPids.reduce((s, pid) => s + cpuSeconds(pid), 0),
      redis: redisPids.reduce((s, pid) => s + cpuSeconds(pid), 0),
    });
    // One second of warm-up, then the measured window.
    let stop = false;
    let sent = 0;
    let failed = 0;
    const lanes = pairs.flatMap((p, i) =>
      Array.from({ length: INFLIGHT }, async (_, lane) => {
        for (let k = 0; !stop; k++) {
          const ack = await senders[i]
            .timeout(15000)
            .emitWithAck('message.send', {
              conversationId: p.conversations[0].id,
              clientId: `${lane}-${k}`,
              text: 'hello from the scale bench',
            })
            .catch(() => ({}));
          if (ack.message) sent++;
          else failed++;
        }
      }),
    );
    await sleep(1000);
    const s0 = { sent, delivered, cpu: cpu(), t: Date.now() };
    await sleep(SECONDS * 1000);
    const s1 = { sent, delivered, cpu: cpu(), t: Date.now() };
    stop = true;
    await Promise.all(lanes);
    await admin.end();
    for (const s of [...senders, ...receivers]) s.close();
    const n = s1.sent - s0.sent;
    const secs = (s1.t - s0.t) / 1000;
    const per = (k) => (n ? ((s1.cpu[k] - s0.cpu[k]) * 1000) / n : NaN);
    return {
      topology: `${topology}/${redis}`,
      sendsPerSec: n / secs,
      deliveredPerSec: (s1.delivered - s0.delivered) / secs,
      failed,
      appCpuMsPerMsg: per('app'),
      pgCpuMsPerMsg: per('pg'),
      redisCpuMsPerMsg: cluster ? per('redis') : null,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    cluster?.stop();
    await dropDatabase(db).catch(() => undefined);
  }
}

(async () => {
  const results = [];
  for (const [topology, redis] of [
    ['one', 'single'],
    ['split', 'single'],
    ['one', 'cluster'],
    ['split', 'cluster'],
  ]) {
    if (ONLY && !ONLY.includes(`${topology}/${redis}`)) continue;
    log(`${topology}/${redis}...`);
    results.push(await run(topology, redis));
    log(JSON.stringify(results[results.length - 1]));
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const f = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));
  console.log(
    `\n${new Date().toISOString()}  ${os.cpus().length} cores, load average ${load}; ${SENDERS} senders × ${INFLIGHT} in flight, ${SECONDS} s each\n`,
  );
  console.log('| topology | sends/s | deliveries/s | failed | app CPU ms/msg | PostgreSQL CPU ms/msg | Redis CPU ms/msg |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.topology} | ${f(r.sendsPerSec, 0)} | ${f(r.deliveredPerSec, 0)} | ${r.failed} | ${f(r.appCpuMsPerMsg, 2)} | ${f(r.pgCpuMsPerMsg, 2)} | ${f(r.redisCpuMsPerMsg, 2)} |`,
    );
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
